package io.sparkgemm.spark.output;

import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyDType;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One .npy file (little-endian, C order; {@code rows x cols}, or 1-D) whose rows are written by
 * Spark tasks, so that no process holds more than a chunk of it. Each task opens a {@link Sink}
 * and writes runs of consecutive rows, each at its row number; the file is one contiguous .npy
 * once {@link #finish} has run on the driver:
 * <ul>
 *   <li>on the local file system ({@code file:}) the driver writes the header and every task
 *       writes its rows in place, at {@code header + firstRow * rowBytes}, by positioned writes;
 *       the executors must see the driver's disk (local mode, a cluster on one host, a shared
 *       mount); one that does not finds no file and fails the job;</li>
 *   <li>on any other file system (HDFS, object stores) each run of rows becomes a part file
 *       beside the target, {@code NAME.part-FIRSTROW}; {@link #finish} checks that the parts
 *       cover every row once and joins them behind the header with {@code FileSystem.concat}
 *       where the file system supports it (HDFS: a metadata operation), else by a streamed copy
 *       through the driver (O(n) I/O, O(1) memory).</li>
 * </ul>
 * A task that is run again rewrites the same bytes (or the same part), so retries are safe.
 */
public final class NpyRowFile implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(NpyRowFile.class);
  private static final int CHUNK = 1 << 20;
  private static final String PART = ".part-";
  /** Test hook (driver system property): write parts and join them on the local disk too. */
  static final String PARTS_HOOK = "spark.gemm.test.npyParts";

  private final String path;
  private final NpyDType dtype;
  private final int rows;
  private final int cols;
  private final boolean inPlace;
  private final int headerBytes;

  private NpyRowFile(String path, NpyDType dtype, int rows, int cols, boolean inPlace,
      int headerBytes) {
    this.path = path;
    this.dtype = dtype;
    this.rows = rows;
    this.cols = cols;
    this.inPlace = inPlace;
    this.headerBytes = headerBytes;
  }

  /**
   * Starts the file at {@code path} (on the driver): on the local file system it is created
   * with its header, for the tasks to write into.
   *
   * @param cols values per row, or 0 for a 1-D array of {@code rows} values
   */
  public static NpyRowFile create(Configuration conf, String path, NpyDType dtype, int rows,
      int cols) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    boolean inPlace = "file".equals(fs.getUri().getScheme())
        && !Boolean.getBoolean(PARTS_HOOK);
    byte[] header = Npy.header(dtype, cols == 0 ? new int[] {rows} : new int[] {rows, cols});
    if (inPlace) {
      // Through java.nio, not Hadoop's local file system: that one would keep a checksum of the
      // header alone beside the file, which every later read through Hadoop would fail.
      try (FileChannel ch = FileChannel.open(localPath(path).toPath(),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, ByteBuffer.wrap(header), 0);
      }
    }
    return new NpyRowFile(fs.makeQualified(p).toString(), dtype, rows, cols, inPlace,
        header.length);
  }

  /** The file as java.nio sees it, on the local file system. */
  private static File localPath(String path) {
    return new File(new Path(path).toUri().getPath());
  }

  private long rowBytes() {
    return (long) Math.max(1, cols) * dtype.size();
  }

  /** A task's writer (on an executor); close it at the end of the task. */
  public Sink open(Configuration conf) {
    return new Sink(conf);
  }

  /**
   * Completes the file (on the driver, after the tasks): joins the parts, and checks that every
   * row was written exactly once.
   */
  public void finish(Configuration conf) throws IOException {
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(conf);
    long expected = headerBytes + rows * rowBytes();
    if (inPlace) {
      long size = fs.getFileStatus(target).getLen();
      if (size != expected) {
        throw new IOException(path + ": " + size + " bytes written, expected " + expected);
      }
      return;
    }
    List<Path> parts = parts(fs, target);
    try (OutputStream out = fs.create(target, false)) {
      out.write(Npy.header(dtype, cols == 0 ? new int[] {rows} : new int[] {rows, cols}));
    }
    if (fs.hasPathCapability(target, CommonPathCapabilities.FS_CONCAT)) {
      try {
        fs.concat(target, parts.toArray(new Path[0]));
        return;
      } catch (IOException | UnsupportedOperationException e) {
        LOG.info("{}: cannot concatenate its {} parts ({}); copying them through the driver",
            path, parts.size(), e.getMessage());
      }
    }
    copy(fs, target, parts);
  }

  /** The parts in row order, checked to hold rows 0 .. rows - 1 once each. */
  private List<Path> parts(FileSystem fs, Path target) throws IOException {
    String prefix = target.getName() + PART;
    List<FileStatus> found = new ArrayList<>();
    for (FileStatus s : fs.listStatus(target.getParent())) {
      if (s.getPath().getName().startsWith(prefix)) {
        found.add(s);
      }
    }
    found.sort(Comparator.comparingLong(s -> firstRow(s, prefix)));
    List<Path> parts = new ArrayList<>(found.size());
    long next = 0;
    for (FileStatus s : found) {
      long first = firstRow(s, prefix);
      if (first != next || s.getLen() % rowBytes() != 0) {
        throw new IOException(path + ": part " + s.getPath().getName() + " of " + s.getLen()
            + " bytes does not continue at row " + next);
      }
      next += s.getLen() / rowBytes();
      parts.add(s.getPath());
    }
    if (next != rows) {
      throw new IOException(path + ": its parts hold " + next + " rows, expected " + rows);
    }
    return parts;
  }

  private static long firstRow(FileStatus s, String prefix) {
    return Long.parseLong(s.getPath().getName().substring(prefix.length()));
  }

  /** Writes the header and the parts' bytes anew into {@code target}, then drops the parts. */
  private void copy(FileSystem fs, Path target, List<Path> parts) throws IOException {
    try (OutputStream out = fs.create(target, true)) {
      out.write(Npy.header(dtype, cols == 0 ? new int[] {rows} : new int[] {rows, cols}));
      for (Path part : parts) {
        try (InputStream in = fs.open(part)) {
          IOUtils.copyBytes(in, out, CHUNK, false);
        }
      }
    }
    for (Path part : parts) {
      fs.delete(part, false);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += ch.write(buffer, at);
    }
  }

  /** Puts {@code count} values, from the {@code from}-th of the caller's, into a buffer. */
  @FunctionalInterface
  private interface Values {
    void put(ByteBuffer buffer, int from, int count);
  }

  /** A task's writer: runs of consecutive rows, each written at its row number. */
  public final class Sink implements Closeable {
    private final Configuration conf;
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private FileChannel channel;
    private OutputStream part;
    private long runEnd = -1;

    private Sink(Configuration conf) {
      this.conf = conf;
    }

    /** Rows {@code firstRow ..} from {@code values[offset ..]} (row-major), as the dtype. */
    public void write(long firstRow, double[] values, int offset, int numRows)
        throws IOException {
      write(firstRow, numRows, dtype == NpyDType.FLOAT32
          ? (b, from, n) -> {
            for (int i = 0; i < n; i++) {
              b.putFloat((float) values[offset + from + i]);
            }
          }
          : (b, from, n) -> {
            b.asDoubleBuffer().put(values, offset + from, n);
            b.position(b.position() + 8 * n);
          }, NpyDType.FLOAT64, NpyDType.FLOAT32);
    }

    /** Rows {@code firstRow ..} of a float32 file from {@code values[offset ..]}. */
    public void write(long firstRow, float[] values, int offset, int numRows)
        throws IOException {
      write(firstRow, numRows, (b, from, n) -> {
        b.asFloatBuffer().put(values, offset + from, n);
        b.position(b.position() + 4 * n);
      }, NpyDType.FLOAT32, NpyDType.FLOAT32);
    }

    /** Values {@code firstRow ..} of a 1-D int32 file from {@code values[offset ..]}. */
    public void write(long firstRow, int[] values, int offset, int numRows) throws IOException {
      write(firstRow, numRows, (b, from, n) -> {
        b.asIntBuffer().put(values, offset + from, n);
        b.position(b.position() + 4 * n);
      }, NpyDType.INT32, NpyDType.INT32);
    }

    private void write(long firstRow, int numRows, Values values, NpyDType one, NpyDType other)
        throws IOException {
      if (dtype != one && dtype != other) {
        throw new IllegalStateException(path + " holds " + dtype.label() + " values");
      }
      if (firstRow < 0 || firstRow + numRows > rows) {
        throw new IllegalStateException(path + ": rows " + firstRow + ".." + (firstRow
            + numRows) + " outside 0.." + rows);
      }
      startRun(firstRow);
      long total = numRows * Math.max(1L, cols);
      int perChunk = CHUNK / dtype.size();
      long at = headerBytes + firstRow * rowBytes();
      for (long done = 0; done < total; ) {
        int n = (int) Math.min(perChunk, total - done);
        buffer.clear();
        values.put(buffer, (int) done, n);
        buffer.flip();
        if (channel != null) {
          at += buffer.remaining();
          writeFully(channel, buffer, at - buffer.remaining());
        } else {
          part.write(buffer.array(), 0, buffer.limit());
        }
        done += n;
      }
      runEnd = firstRow + numRows;
    }

    /** Opens the file in place, or a new part unless the rows continue the current one. */
    private void startRun(long firstRow) throws IOException {
      if (inPlace) {
        if (channel == null) {
          try {
            channel = FileChannel.open(localPath(path).toPath(), StandardOpenOption.WRITE);
          } catch (NoSuchFileException e) {
            throw new IOException(path + " is not on this executor's disk: an output folder "
                + "on the local file system needs the executors on the driver's host (or a "
                + "shared mount); write to a shared file system such as hdfs:// instead", e);
          }
        }
        return;
      }
      if (part != null && firstRow == runEnd) {
        return;
      }
      if (part != null) {
        part.close();
      }
      Path p = new Path(path + PART + String.format("%019d", firstRow));
      part = p.getFileSystem(conf).create(p, true);
    }

    @Override
    public void close() throws IOException {
      try {
        if (channel != null) {
          channel.close();
        }
      } finally {
        if (part != null) {
          part.close();
        }
      }
    }
  }
}
