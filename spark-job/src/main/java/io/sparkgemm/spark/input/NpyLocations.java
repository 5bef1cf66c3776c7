package io.sparkgemm.spark.input;

import io.sparkgemm.local.npy.NpyFormatException;
import io.sparkgemm.local.npy.NpyLayout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Where the bytes of .npy row ranges are: for each range, the hosts that hold the most of its
 * bytes (over X and its labels or G), as the preferred locations of the range's partition, so
 * that on HDFS a task runs beside its data. One block-location lookup per file, on the driver
 * (NameNode metadata, no data). Hosts named {@code localhost}, which the local file system and
 * object stores report for every block, are left out, as Spark's own file sources do: such
 * ranges have no preference and are scheduled as before.
 */
final class NpyLocations {
  /** At most this many hosts per range, as Spark's file sources do (a replication's worth). */
  static final int MAX_HOSTS = 3;

  private NpyLocations() {
  }

  /**
   * One partition per range, partition i holding exactly {@code ranges.get(i)} (as
   * {@code parallelize(ranges, ranges.size())} does), preferring the hosts of its bytes.
   *
   * @param sources the files each range reads rows {@code range[0] .. range[1] - 1} of
   */
  static JavaRDD<long[]> parallelize(JavaSparkContext jsc, Configuration conf,
      List<NpyRows.Source> sources, List<long[]> ranges) {
    List<List<String>> hosts = hosts(conf, sources, ranges);
    List<Tuple2<long[], Seq<String>>> located = new ArrayList<>(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      located.add(new Tuple2<>(ranges.get(i), CollectionConverters.asScala(hosts.get(i)).toSeq()));
    }
    ClassTag<long[]> tag = ClassTag$.MODULE$.apply(long[].class);
    // makeRDD with locations: one slice per element, in order, each with its hosts
    return jsc.sc().makeRDD(CollectionConverters.asScala(located).toSeq(), tag).toJavaRDD();
  }

  /** For each range, up to {@link #MAX_HOSTS} hosts, the most bytes of the range first. */
  static List<List<String>> hosts(Configuration conf, List<NpyRows.Source> sources,
      List<long[]> ranges) {
    return hosts(sources, sources.stream().map(s -> blocks(conf, s.path())).toList(), ranges);
  }

  /**
   * As {@link #hosts(Configuration, List, List)}, given the blocks of each source file.
   *
   * @param located the blocks of {@code sources.get(i)} at {@code i}, in any order
   */
  static List<List<String>> hosts(List<NpyRows.Source> sources, List<BlockLocation[]> located,
      List<long[]> ranges) {
    List<Map<String, Long>> bytes = new ArrayList<>(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      bytes.add(new HashMap<>());
    }
    for (int s = 0; s < sources.size(); s++) {
      BlockLocation[] sorted = located.get(s).clone();
      Arrays.sort(sorted, Comparator.comparingLong(BlockLocation::getOffset));
      Blocks blocks = new Blocks(sorted);
      NpyLayout layout = sources.get(s).layout();
      long size = layout.dtype().size();
      long cols = layout.cols();
      for (int i = 0; i < ranges.size(); i++) {
        long r0 = ranges.get(i)[0];
        long r1 = ranges.get(i)[1];
        if (!layout.fortranOrder() || cols == 1) {
          blocks.add(layout.dataOffset() + r0 * cols * size, (r1 - r0) * cols * size,
              bytes.get(i));
        } else {
          // column-major: the range is one run of (r1 - r0) values in each column
          for (long c = 0; c < cols; c++) {
            blocks.add(layout.dataOffset() + (c * layout.rows() + r0) * size, (r1 - r0) * size,
                bytes.get(i));
          }
        }
      }
    }
    List<List<String>> hosts = new ArrayList<>(ranges.size());
    for (Map<String, Long> perHost : bytes) {
      hosts.add(perHost.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
              .thenComparing(Map.Entry.comparingByKey()))
          .limit(MAX_HOSTS).map(Map.Entry::getKey).toList());
    }
    return hosts;
  }

  /** The blocks of a file, from one lookup. */
  private static BlockLocation[] blocks(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus status = fs.getFileStatus(p);
      return fs.getFileBlockLocations(status, 0, status.getLen());
    } catch (FileNotFoundException e) {
      throw new NpyFormatException(path, "file not found");
    } catch (IOException e) {
      throw new NpyFormatException(path, "cannot find where its blocks are: " + e.getMessage());
    }
  }

  /** A file's blocks sorted by offset, and the hosts of each. */
  private record Blocks(BlockLocation[] blocks) {
    /** Adds to each host the bytes of {@code [start, start + length)} its blocks hold. */
    void add(long start, long length, Map<String, Long> perHost) {
      long end = start + length;
      for (int b = first(start); b < blocks.length && blocks[b].getOffset() < end; b++) {
        long from = Math.max(start, blocks[b].getOffset());
        long to = Math.min(end, blocks[b].getOffset() + blocks[b].getLength());
        if (to <= from) {
          continue;
        }
        for (String host : hosts(blocks[b])) {
          perHost.merge(host, to - from, Long::sum);
        }
      }
    }

    /** The last block starting at or before {@code offset} (0 when none does). */
    private int first(long offset) {
      int lo = 0;
      int hi = blocks.length - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (blocks[mid].getOffset() <= offset) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    }

    /** The hosts of a block, each once (two DataNodes may share a host), but localhost. */
    private static List<String> hosts(BlockLocation block) {
      try {
        return Arrays.stream(block.getHosts()).distinct().filter(h -> !h.equals("localhost"))
            .toList();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the hosts of a block: " + e.getMessage(), e);
      }
    }
  }
}
