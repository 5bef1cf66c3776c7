package io.sparkgemm.spark.input;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.npy.NpyLayout;
import io.sparkgemm.local.npy.PositionedInput;
import io.sparkgemm.spark.block.BlockBuilder;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Rows {@code r0 .. r1 - 1} of .npy files read inside a task by positioned reads through Hadoop's
 * file system (a local file, HDFS, an object store): X with its labels or G into blocks, or
 * labels and G alone into rows {@code (__id, __label)}. Only the layouts travel with the task;
 * the Hadoop configuration is broadcast once.
 */
final class NpyRows implements Serializable {
  private static final long serialVersionUID = 1L;
  /** About this many bytes of X read and widened to float64 at a time (C order). */
  private static final int CHUNK_BYTES = 1 << 20;

  /** A .npy file and its layout. */
  record Source(String path, NpyLayout layout) implements Serializable {
  }

  private final Broadcast<SerializableConfiguration> conf;

  NpyRows(Broadcast<SerializableConfiguration> conf) {
    this.conf = conf;
  }

  /** How X's rows become blocks: what {@link BlockBuilder} needs. */
  record Blocking(DType dtype, int blockRows, LabelKind kind, int labelWidth, int numClasses,
      String labelSource, boolean allowNonFinite) implements Serializable {
  }

  /**
   * The blocks of rows {@code r0 .. r1 - 1} of X, cut every {@code blockRows} rows from r0 (a
   * multiple of blockRows, so blocks are cut from row 0), with the same rows of the labels or G.
   * Blocks are read as they are asked for: a task holds one block and one chunk.
   */
  Iterator<LabeledBlock> blocks(Source x, Source labels, Blocking how, long r0, long r1) {
    Open files = open(x, labels);
    int d = x.layout().cols();
    int chunkRows = x.layout().fortranOrder() ? how.blockRows()
        : Math.max(1, Math.min(how.blockRows(), CHUNK_BYTES / 8 / Math.max(1, d)));
    BlockBuilder builder = new BlockBuilder(how.dtype(), d, how.blockRows(), how.kind(),
        how.labelWidth(), x.path(), how.labelSource(), how.allowNonFinite());
    // one chunk's scratch for the task: rows of X and of the labels or G, as read
    int scratchRows = (int) Math.min(chunkRows, r1 - r0);
    double[] rows = new double[Math.toIntExact((long) scratchRows * d)];
    int[] classes = how.kind() == LabelKind.CLASSES ? new int[scratchRows] : null;
    double[] values = labels != null && classes == null
        ? new double[scratchRows * how.labelWidth()] : null;
    return new Iterator<>() {
      private long next = r0;

      @Override
      public boolean hasNext() {
        if (next >= r1) {
          files.close();
        }
        return next < r1;
      }

      @Override
      public LabeledBlock next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        long end = Math.min(r1, next + how.blockRows());
        while (next < end) {
          int n = (int) Math.min(chunkRows, end - next);
          read(files.x, x, next, n, rows);
          if (classes != null) {
            read(files.labels, labels, next, n, classes, how.numClasses());
          } else if (values != null) {
            read(files.labels, labels, next, n, values);
          }
          for (int i = 0; i < n; i++) {
            builder.add(next + i, rows, i * d, d);
            if (how.kind() == LabelKind.CLASSES) {
              builder.setClass(classes[i]);
            } else if (how.kind() == LabelKind.TARGETS) {
              builder.setTargets(values, i * how.labelWidth(), how.labelWidth());
            } else if (how.kind() == LabelKind.UPSTREAM) {
              builder.setUpstream(values, i * how.labelWidth(), how.labelWidth());
            }
            builder.endRow();
          }
          next += n;
        }
        return builder.build();
      }
    };
  }

  /**
   * Rows {@code (__id, __label)} for r0 .. r1 - 1 of a labels or G file: a class id as a double
   * (checked against k = numClasses > 0), targets and G as float64 arrays.
   */
  Iterator<Row> labelRows(Source labels, boolean classes, int numClasses, long r0, long r1) {
    Open files = open(labels, null);
    int width = labels.layout().cols();
    int chunkRows = Math.max(1, Math.min(1 << 16, CHUNK_BYTES / 8 / width));
    return new Iterator<>() {
      private long next = r0;
      private final List<Row> chunk = new ArrayList<>();
      private int at;

      @Override
      public boolean hasNext() {
        if (at == chunk.size() && next < r1) {
          int n = (int) Math.min(chunkRows, r1 - next);
          chunk.clear();
          at = 0;
          if (classes) {
            int[] ids = new int[n];
            read(files.x, labels, next, n, ids, numClasses);
            for (int i = 0; i < n; i++) {
              chunk.add(RowFactory.create(next + i, (double) ids[i]));
            }
          } else {
            double[] values = new double[n * width];
            read(files.x, labels, next, n, values);
            for (int i = 0; i < n; i++) {
              double[] row = new double[width];
              System.arraycopy(values, i * width, row, 0, width);
              chunk.add(RowFactory.create(next + i, row));
            }
          }
          next += n;
        }
        if (at == chunk.size()) {
          files.close();
          return false;
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return chunk.get(at++);
      }
    };
  }

  /**
   * Reads at a position as a stream read, seeking first unless the stream is already there: a
   * task reads its row range front to back, and HDFS keeps a stream's block reader (and its
   * read-ahead) open across reads, where each positioned read sets up a new one with a
   * DataNode (half the rate, scripts/bench-hdfs.sh).
   */
  static PositionedInput onward(FSDataInputStream in) {
    return (position, buffer, offset, length) -> {
      if (in.getPos() != position) {
        in.seek(position);
      }
      in.readFully(buffer, offset, length);
    };
  }

  private static void read(FSDataInputStream in, Source s, long r0, int n, double[] out) {
    try {
      s.layout().readRows(onward(in), r0, n, out, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(s.path() + ": cannot read rows " + r0 + ".." + (r0 + n)
          + ": " + e.getMessage(), e);
    }
  }

  private static void read(FSDataInputStream in, Source s, long r0, int n, int[] out,
      int numClasses) {
    try {
      s.layout().readClasses(onward(in), r0, n, out, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(s.path() + ": cannot read rows " + r0 + ".." + (r0 + n)
          + ": " + e.getMessage(), e);
    }
    if (numClasses > 0) {
      for (int i = 0; i < n; i++) {
        BlockBuilder.checkClass(s.path(), out[i], r0 + i, numClasses);
      }
    }
  }

  /** The task's open streams, closed at the end of the rows or of the task. */
  private final class Open implements Closeable {
    final FSDataInputStream x;
    final FSDataInputStream labels;
    private boolean closed;

    Open(Source x, Source labels) throws IOException {
      Configuration c = conf.value().value();
      this.x = new Path(x.path()).getFileSystem(c).open(new Path(x.path()));
      try {
        this.labels = labels == null ? null
            : new Path(labels.path()).getFileSystem(c).open(new Path(labels.path()));
      } catch (IOException | RuntimeException e) {
        this.x.close();
        throw e;
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        x.close();
        if (labels != null) {
          labels.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private Open open(Source x, Source labels) {
    try {
      Open files = new Open(x, labels);
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) ctx -> files.close());
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(x.path() + ": cannot be opened: " + e.getMessage(), e);
    }
  }
}
