package io.sparkgemm.local.npy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Strict reading and writing of NumPy .npy files (format versions 1.0, 2.0 and 3.0): 1-D and 2-D
 * arrays of float64, float32, int32 and int64, either byte order, C order or Fortran order
 * (transposed into row-major on read). Everything else is refused with a message naming the file
 * and what was found: object (pickled) arrays, structured and other dtypes, 0-D or 3-D and
 * higher shapes, truncated data and trailing bytes. Writes are little-endian, C order, version
 * 1.0 (2.0 for very long headers), through a temporary file moved into place.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int CHUNK = 1 << 20;
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private Npy() {
  }

  /** Reads a .npy file. */
  public static NpyArray read(Path path) {
    if (Files.isDirectory(path)) {
      throw new NpyFormatException(path, "is a directory, expected a .npy file");
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return read(PositionedInput.of(ch), ch.size(), path.toString());
    } catch (NoSuchFileException e) {
      throw new NpyFormatException(path, "file not found");
    } catch (IOException e) {
      throw new NpyFormatException(path, "cannot read: " + e.getMessage());
    }
  }

  /**
   * Reads a whole .npy file of {@code size} bytes by positioned reads: a local file channel
   * ({@link PositionedInput#of}), or any other file system's stream (Hadoop's
   * {@code FSDataInputStream::readFully}).
   *
   * @param file the file's name as the user gave it, for messages
   */
  public static NpyArray read(PositionedInput in, long size, String file) throws IOException {
    NpyLayout layout = NpyLayout.read(in, size, file, MAX_ELEMENTS);
    int[] shape = layout.shape();
    int count = 1;
    for (int dim : shape) {
      count *= dim;
    }
    Object data = readData(in, layout.dataOffset(), layout.dtype(), count, layout.byteOrder());
    if (layout.fortranOrder() && shape.length == 2) {
      data = columnToRowMajor(data, shape[0], shape[1]);
    }
    return new NpyArray(layout.dtype(), shape, data, file);
  }

  private static Object readData(PositionedInput in, long start, NpyDType dtype, int count,
      ByteOrder order) throws IOException {
    Object data;
    switch (dtype) {
      case FLOAT64: data = new double[count]; break;
      case FLOAT32: data = new float[count]; break;
      case INT32: data = new int[count]; break;
      default: data = new long[count]; break;
    }
    int size = dtype.size();
    byte[] chunk = new byte[(int) Math.min(CHUNK, (long) count * size)];
    ByteBuffer buffer = ByteBuffer.wrap(chunk).order(order);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, CHUNK / size);
      in.readFully(start + (long) done * size, chunk, 0, n * size);
      buffer.clear().limit(n * size);
      switch (dtype) {
        case FLOAT64: buffer.asDoubleBuffer().get((double[]) data, done, n); break;
        case FLOAT32: buffer.asFloatBuffer().get((float[]) data, done, n); break;
        case INT32: buffer.asIntBuffer().get((int[]) data, done, n); break;
        default: buffer.asLongBuffer().get((long[]) data, done, n); break;
      }
      done += n;
    }
    return data;
  }

  /** Fortran order stores element (r, c) at c * rows + r. */
  private static Object columnToRowMajor(Object data, int rows, int cols) {
    if (data instanceof double[] src) {
      double[] out = new double[src.length];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          out[r * cols + c] = src[c * rows + r];
        }
      }
      return out;
    }
    if (data instanceof float[] src) {
      float[] out = new float[src.length];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          out[r * cols + c] = src[c * rows + r];
        }
      }
      return out;
    }
    if (data instanceof int[] src) {
      int[] out = new int[src.length];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          out[r * cols + c] = src[c * rows + r];
        }
      }
      return out;
    }
    long[] src = (long[]) data;
    long[] out = new long[src.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = src[c * rows + r];
      }
    }
    return out;
  }

  /** Writes the array little-endian in C order, atomically (temporary file, then move). */
  public static void write(Path path, NpyArray array) {
    Path dir = path.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + path.getFileName() + ".tmp");
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        write(ch, array);
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original failure is the one to report
      }
      throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the array to a stream (little-endian, C order); the caller closes the stream and owns
   * atomicity, e.g. by writing into a staging folder.
   */
  public static void write(OutputStream out, NpyArray array) throws IOException {
    write(Channels.newChannel(out), array);
  }

  private static void write(WritableByteChannel ch, NpyArray array) throws IOException {
    ByteBuffer head = ByteBuffer.wrap(headerBytes(array));
    while (head.hasRemaining()) {
      ch.write(head);
    }
    writeData(ch, array);
  }

  private static byte[] headerBytes(NpyArray array) {
    return header(array.dtype(), array.shape());
  }

  /**
   * The header of a little-endian C-order array of {@code dtype} and {@code shape}: what precedes
   * its values, for writers that place the values themselves (its length is a multiple of 64).
   */
  public static byte[] header(NpyDType dtype, int[] shape) {
    String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': "
        + shapeText(shape) + ", }";
    int preamble = 10;
    int major = 1;
    if (dict.length() + 1 + preamble >= 65536) {
      major = 2;
      preamble = 12;
    }
    int total = ((preamble + dict.length() + 1 + 63) / 64) * 64;
    StringBuilder text = new StringBuilder(dict);
    while (preamble + text.length() + 1 < total) {
      text.append(' ');
    }
    text.append('\n');
    byte[] body = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer out = ByteBuffer.allocate(preamble + body.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      out.putShort((short) body.length);
    } else {
      out.putInt(body.length);
    }
    out.put(body);
    return out.array();
  }

  private static void writeData(WritableByteChannel ch, NpyArray array) throws IOException {
    Object data = array.data();
    int size = array.dtype().size();
    int count = Array.getLength(data);
    ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, CHUNK / size);
      buffer.clear();
      switch (array.dtype()) {
        case FLOAT64: buffer.asDoubleBuffer().put((double[]) data, done, n); break;
        case FLOAT32: buffer.asFloatBuffer().put((float[]) data, done, n); break;
        case INT32: buffer.asIntBuffer().put((int[]) data, done, n); break;
        default: buffer.asLongBuffer().put((long[]) data, done, n); break;
      }
      buffer.limit(n * size);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      done += n;
    }
  }

  static String shapeText(int[] shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return s.append(shape.length == 1 ? ",)" : ")").toString();
  }
}
