package io.sparkgemm.spark.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.hdfs.MiniHdfs;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.io.File;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partition;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * .npy row ranges on HDFS prefer the hosts of their bytes: each partition names the hosts of
 * the HDFS blocks its rows of X and of the labels lie in, the read tasks run NODE_LOCAL where a
 * DataNode shares the executor's host, and the blocks equal those read from a local copy (which
 * has no preferred hosts) bit for bit.
 */
class NpyLocalityTest {
  /** 4,000,000 bytes of float64 X: about 4 blocks of the fixture's 1 MiB. */
  static final int ROWS = 5000;
  static final int COLS = 100;
  static final int BLOCK_ROWS = 100;
  static final int PARTITIONS = 6;
  /** The DataNodes' host; the local-mode executor is put there too. */
  static final String HOST = "127.0.0.1";

  @TempDir
  static File dir;
  static MiniHdfs hdfs;
  static Object savedHostname;
  static SparkSession spark;
  static String localX;
  static String localLabels;

  @BeforeAll
  static void setUp() throws Exception {
    hdfs = MiniHdfs.start(new File(dir, "hdfs"), 2);
    double[] x = new double[ROWS * COLS];
    int[] classes = new int[ROWS];
    for (int r = 0; r < ROWS; r++) {
      classes[r] = r % 4;
      for (int c = 0; c < COLS; c++) {
        x[r * COLS + c] = Math.sin(r * 0.37 + c) * 1e3 + r;
      }
    }
    File xFile = new File(dir, "X.npy");
    File labelsFile = new File(dir, "labels.npy");
    Npy.write(xFile.toPath(), NpyArray.of(DenseBlock.ofDoubles(ROWS, COLS, x)));
    Npy.write(labelsFile.toPath(), NpyArray.ofInts(classes));
    localX = xFile.getPath();
    localLabels = labelsFile.getPath();
    FileSystem fs = hdfs.fileSystem();
    fs.copyFromLocalFile(new Path(localX), hdfs.path("/X.npy"));
    fs.copyFromLocalFile(new Path(localLabels), hdfs.path("/labels.npy"));
    // Local mode's executor runs on Spark's local host name (this machine's address): name it
    // the DataNodes' host, as on a cluster where a DataNode shares the executor's host.
    savedHostname = hostnameField().get(null);
    Utils.setCustomHostname(HOST);
    spark = SparkSession.builder().master("local[2]").appName("NpyLocalityTest")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    hostnameField().set(null, savedHostname);
    if (hdfs != null) {
      hdfs.close();
    }
  }

  /** Spark's override of the local host name (the field behind SPARK_LOCAL_HOSTNAME). */
  private static Field hostnameField() throws ReflectiveOperationException {
    Field field = Class.forName("org.apache.spark.util.Utils$").getDeclaredField("customHostname");
    field.setAccessible(true);
    return field;
  }

  private static BlockedInput load(String x, String labels) {
    return InputLoader.load(spark, InputSpec.builder(x).blockRows(BLOCK_ROWS)
        .partitions(PARTITIONS).labels(LabelKind.CLASSES, null, labels).numClasses(4).build());
  }

  /** Rows of partition i: blocks i * B / p .. (i + 1) * B / p - 1, as parallelize slices. */
  private static long[] rows(int i) {
    long numBlocks = (ROWS + BLOCK_ROWS - 1) / BLOCK_ROWS;
    return new long[] {i * numBlocks / PARTITIONS * BLOCK_ROWS,
        Math.min(ROWS, (i + 1) * numBlocks / PARTITIONS * BLOCK_ROWS)};
  }

  /** The RDD the blocks are read from: the first of the lineage, whose partitions are ranges. */
  private static RDD<?> source(BlockedInput input) {
    RDD<?> rdd = input.blocks().rdd();
    while (!rdd.dependencies().isEmpty()) {
      rdd = rdd.dependencies().head().rdd();
    }
    return rdd;
  }

  private static List<String> preferred(RDD<?> rdd, Partition partition) {
    return CollectionConverters.asJava(rdd.preferredLocations(partition));
  }

  @Test
  void eachRangePrefersTheHostsOfItsBytes() throws Exception {
    BlockedInput input = load(hdfs.url("/X.npy"), hdfs.url("/labels.npy"));
    try {
      RDD<?> source = source(input);
      assertThat(source.partitions()).hasSize(PARTITIONS);
      FileSystem fs = hdfs.fileSystem();
      long xData = NpyInput.header(fs.getConf(), hdfs.url("/X.npy")).dataOffset();
      long labelData = NpyInput.header(fs.getConf(), hdfs.url("/labels.npy")).dataOffset();
      for (int i = 0; i < PARTITIONS; i++) {
        long[] r = rows(i);
        // the oracle: each host's bytes of the range, asked of the NameNode range by range
        Map<String, Long> bytes = new HashMap<>();
        hostBytes(fs, hdfs.path("/X.npy"), xData + r[0] * COLS * 8, (r[1] - r[0]) * COLS * 8,
            bytes);
        hostBytes(fs, hdfs.path("/labels.npy"), labelData + r[0] * 4, (r[1] - r[0]) * 4, bytes);
        List<String> expected = bytes.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey()))
            .limit(NpyLocations.MAX_HOSTS).map(Map.Entry::getKey).toList();
        assertThat(expected).as("hosts of range %d", i).contains(HOST);
        assertThat(preferred(source, source.partitions()[i])).as("preferred hosts of range %d", i)
            .isEqualTo(expected);
      }
    } finally {
      input.release();
    }
  }

  /** Adds each host's share of {@code [start, start + length)} of a file, a replica once. */
  private static void hostBytes(FileSystem fs, Path file, long start, long length,
      Map<String, Long> bytes) throws Exception {
    for (BlockLocation block : fs.getFileBlockLocations(fs.getFileStatus(file), start, length)) {
      long from = Math.max(start, block.getOffset());
      long to = Math.min(start + length, block.getOffset() + block.getLength());
      for (String host : List.of(block.getHosts()).stream().distinct().toList()) {
        bytes.merge(host, to - from, Long::sum);
      }
    }
  }

  /**
   * Spark reports a task without preferred hosts as PROCESS_LOCAL; with the DataNodes' host
   * preferred and the executor there, the read tasks are NODE_LOCAL.
   */
  @Test
  void theReadTasksRunNodeLocal() {
    List<String> localities = new CopyOnWriteArrayList<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd event) {
        localities.add(event.taskInfo().taskLocality().toString());
      }
    };
    spark.sparkContext().addSparkListener(listener);
    BlockedInput input;
    try {
      input = load(hdfs.url("/X.npy"), hdfs.url("/labels.npy"));
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    input.release();
    assertThat(localities).as("locality of the tasks that read and block X").hasSize(PARTITIONS)
        .containsOnly("NODE_LOCAL");
  }

  @Test
  void aLocalCopyHasNoPreferredHostsAndGivesTheSameBlocksBitForBit() {
    BlockedInput onHdfs = load(hdfs.url("/X.npy"), hdfs.url("/labels.npy"));
    BlockedInput local = load(localX, localLabels);
    try {
      RDD<?> source = source(local);
      for (Partition partition : source.partitions()) {
        assertThat(preferred(source, partition)).as("preferred hosts of a local range").isEmpty();
      }
      List<List<LabeledBlock>> expected = local.blocks().glom().collect();
      List<List<LabeledBlock>> actual = onHdfs.blocks().glom().collect();
      assertThat(actual).hasSameSizeAs(expected);
      for (int p = 0; p < expected.size(); p++) {
        assertThat(bits(actual.get(p))).as("partition %d", p).isEqualTo(bits(expected.get(p)));
      }
    } finally {
      onHdfs.release();
      local.release();
    }
  }

  /** Row ids, class ids and the raw bits of every X value, in order. */
  private static List<Long> bits(List<LabeledBlock> blocks) {
    List<Long> out = new ArrayList<>();
    for (LabeledBlock b : blocks) {
      for (int r = 0; r < b.numRows(); r++) {
        out.add(b.x().rowId(r));
        out.add((long) b.classes()[r]);
        for (int c = 0; c < COLS; c++) {
          out.add(Double.doubleToRawLongBits(b.x().get(r, c)));
        }
      }
    }
    return out;
  }
}
