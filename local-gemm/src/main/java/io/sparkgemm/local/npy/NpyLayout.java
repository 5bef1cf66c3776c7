package io.sparkgemm.local.npy;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Where the array of a .npy file lies, from the file's first bytes only: dtype, byte order,
 * memory order, shape and the offset of the data, checked against the file's length. Reads any
 * range of rows by positioned reads, so that each reader (an executor's task) takes only its
 * rows, in chunks of about a MB: in C order rows r0..r1 are one stretch of the file; in Fortran
 * order element (r, c) is at {@code c * rows + r}, so each column's slice is one stretch.
 */
public final class NpyLayout implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int CHUNK = 1 << 20;

  private final String file;
  private final NpyDType dtype;
  private final boolean bigEndian;
  private final boolean fortranOrder;
  private final int[] shape;
  private final long dataOffset;

  private NpyLayout(String file, NpyHeader header, long dataOffset) {
    this.file = file;
    this.dtype = header.dtype();
    this.bigEndian = header.byteOrder() == ByteOrder.BIG_ENDIAN;
    this.fortranOrder = header.fortranOrder();
    this.shape = header.shape();
    this.dataOffset = dataOffset;
  }

  /**
   * Reads and checks the header of a file of {@code fileSize} bytes: a version 1.0, 2.0 or 3.0
   * header of a supported dtype and shape, followed by exactly the data it describes.
   *
   * @param file the file's name, for messages
   */
  public static NpyLayout read(PositionedInput in, long fileSize, String file)
      throws IOException {
    return read(in, fileSize, file, Long.MAX_VALUE);
  }

  /** @param maxElements more elements than this are refused (one Java array's worth) */
  static NpyLayout read(PositionedInput in, long fileSize, String file, long maxElements)
      throws IOException {
    byte[] pre = new byte[(int) Math.min(12, fileSize)];
    in.readFully(0, pre, 0, pre.length);
    ByteBuffer preamble = ByteBuffer.wrap(pre).order(ByteOrder.LITTLE_ENDIAN);
    if (pre.length < 10) {
      throw new NpyFormatException(file, "too short to be a .npy file (" + fileSize + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre[i] != MAGIC[i]) {
        throw new NpyFormatException(file, "not a .npy file: it does not start with the magic "
            + "string \\x93NUMPY");
      }
    }
    int major = pre[6] & 0xff;
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = preamble.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (pre.length < 12) {
        throw new NpyFormatException(file, "truncated header");
      }
      long length = preamble.getInt(8) & 0xffffffffL;
      if (length > 1 << 24) {
        throw new NpyFormatException(file, "header length " + length + " is implausibly large");
      }
      headerLength = (int) length;
      headerStart = 12;
    } else {
      throw new NpyFormatException(file, "unsupported .npy format version " + major + "."
          + (pre[7] & 0xff) + " (supported: 1.0, 2.0, 3.0)");
    }
    if (headerStart + (long) headerLength > fileSize) {
      throw new NpyFormatException(file, "truncated header: it claims " + headerLength
          + " bytes but the file has " + (fileSize - headerStart) + " after the preamble");
    }
    byte[] headerBytes = new byte[headerLength];
    in.readFully(headerStart, headerBytes, 0, headerLength);
    String headerText = new String(headerBytes,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader header = NpyHeader.parse(headerText, file);

    long count = 1;
    for (int dim : header.shape()) {
      count *= dim;
      if (count > maxElements) {
        throw new NpyFormatException(file, "shape " + Npy.shapeText(header.shape())
            + " has more elements than one Java array can hold (" + maxElements + ")");
      }
    }
    long dataStart = headerStart + (long) headerLength;
    long expected = count * header.dtype().size();
    long actual = fileSize - dataStart;
    if (actual < expected) {
      throw new NpyFormatException(file, "truncated data: shape "
          + Npy.shapeText(header.shape()) + " " + header.dtype().label() + " needs " + expected
          + " bytes but the file has " + actual);
    }
    if (actual > expected) {
      throw new NpyFormatException(file, (actual - expected) + " unexpected trailing bytes "
          + "after the data of shape " + Npy.shapeText(header.shape()) + " "
          + header.dtype().label());
    }
    return new NpyLayout(file, header, dataStart);
  }

  public NpyDType dtype() {
    return dtype;
  }

  public ByteOrder byteOrder() {
    return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  public boolean fortranOrder() {
    return fortranOrder;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int ndim() {
    return shape.length;
  }

  /** The first dimension: rows of a matrix, values of a vector. */
  public int rows() {
    return shape[0];
  }

  /** Values per row: the second dimension, 1 for a vector. */
  public int cols() {
    return shape.length == 2 ? shape[1] : 1;
  }

  /** Where the data starts in the file. */
  public long dataOffset() {
    return dataOffset;
  }

  /** {@code (3, 2)} as NumPy prints it. */
  public String shapeText() {
    return Npy.shapeText(shape);
  }

  /** Refuses anything but a 2-D float array (X, G), as {@link NpyArray#toBlock} does. */
  public void requireFloatMatrix() {
    NpyArray.requireFloatMatrix(dtype, shape, file + ": ");
  }

  /** Refuses anything but a 1-D float array, as {@link NpyArray#toVector} does. */
  public void requireFloatVector() {
    NpyArray.requireFloatVector(dtype, shape, file + ": ");
  }

  /** Refuses anything but a 1-D int array of class ids, as {@link NpyArray#toClasses} does. */
  public void requireClasses() {
    NpyArray.requireClasses(dtype, shape, file + ": ");
  }

  /**
   * Rows {@code r0 .. r0 + count - 1} of a float array as float64 values, row-major, into
   * {@code out} from {@code offset} (a float32 value widens exactly).
   */
  public void readRows(PositionedInput in, long r0, int count, double[] out, int offset)
      throws IOException {
    if (!dtype.isFloat()) {
      throw new IllegalStateException(file + ": " + dtype.label() + " values are not read as "
          + "floats");
    }
    checkRange(r0, count);
    int cols = cols();
    int size = dtype.size();
    if (!fortranOrder || cols == 1) {
      read(in, dataOffset + r0 * cols * size, count * cols, out, offset, 1);
    } else {
      for (int c = 0; c < cols; c++) {
        read(in, dataOffset + ((long) c * rows() + r0) * size, count, out, offset + c, cols);
      }
    }
  }

  /**
   * Values {@code r0 .. r0 + count - 1} of a 1-D int32 or int64 array as class ids into
   * {@code out} from {@code offset}; an int64 value must fit an int.
   */
  public void readClasses(PositionedInput in, long r0, int count, int[] out, int offset)
      throws IOException {
    requireClasses();
    checkRange(r0, count);
    int size = dtype.size();
    byte[] buffer = new byte[(int) Math.min(CHUNK, (long) count * size)];
    ByteBuffer bytes = ByteBuffer.wrap(buffer).order(byteOrder());
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, buffer.length / size);
      in.readFully(dataOffset + (r0 + done) * size, buffer, 0, n * size);
      for (int j = 0; j < n; j++) {
        if (dtype == NpyDType.INT32) {
          out[offset + done + j] = bytes.getInt(4 * j);
        } else {
          long v = bytes.getLong(8 * j);
          if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": class id " + v + " at index "
                + (r0 + done + j) + " does not fit a 32-bit int");
          }
          out[offset + done + j] = (int) v;
        }
      }
      done += n;
    }
  }

  /** {@code n} float values from {@code position} into {@code out[offset + i * stride]}. */
  private void read(PositionedInput in, long position, int n, double[] out, int offset,
      int stride) throws IOException {
    int size = dtype.size();
    byte[] buffer = new byte[(int) Math.min(CHUNK, (long) n * size)];
    ByteBuffer bytes = ByteBuffer.wrap(buffer).order(byteOrder());
    for (int done = 0; done < n; ) {
      int m = Math.min(n - done, buffer.length / size);
      in.readFully(position + (long) done * size, buffer, 0, m * size);
      int at = offset + done * stride;
      if (dtype == NpyDType.FLOAT64 && stride == 1) {
        bytes.clear();
        bytes.asDoubleBuffer().get(out, at, m);
      } else if (dtype == NpyDType.FLOAT64) {
        for (int j = 0; j < m; j++) {
          out[at + j * stride] = bytes.getDouble(8 * j);
        }
      } else {
        for (int j = 0; j < m; j++) {
          out[at + j * stride] = bytes.getFloat(4 * j);
        }
      }
      done += m;
    }
  }

  private void checkRange(long r0, int count) {
    if (r0 < 0 || count < 0 || r0 + count > rows()) {
      throw new IndexOutOfBoundsException(file + ": rows " + r0 + ".." + (r0 + count)
          + " outside 0.." + rows());
    }
  }

  @Override
  public String toString() {
    return "NpyLayout(" + file + ", " + dtype.label() + ", " + shapeText()
        + (fortranOrder ? ", Fortran order" : "") + ", data at " + dataOffset + ")";
  }
}
