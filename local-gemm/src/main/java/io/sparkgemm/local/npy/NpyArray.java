package io.sparkgemm.local.npy;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.Arrays;

/**
 * A 1-D or 2-D array read from or to be written to a .npy file, row-major (C order).
 * {@code data} is a {@code double[]}, {@code float[]}, {@code int[]} or {@code long[]} matching
 * {@code dtype}.
 */
public final class NpyArray {
  private final NpyDType dtype;
  private final int[] shape;
  private final Object data;
  private final String source;

  NpyArray(NpyDType dtype, int[] shape, Object data, String source) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data;
    this.source = source;
  }

  public static NpyArray of(DenseBlock block) {
    int[] shape = {block.numRows(), block.numCols()};
    return block.dtype() == DType.FLOAT64
        ? new NpyArray(NpyDType.FLOAT64, shape, block.doubles(), null)
        : new NpyArray(NpyDType.FLOAT32, shape, block.floats(), null);
  }

  public static NpyArray ofVector(double[] values) {
    return new NpyArray(NpyDType.FLOAT64, new int[] {values.length}, values, null);
  }

  public static NpyArray ofInts(int[] values) {
    return new NpyArray(NpyDType.INT32, new int[] {values.length}, values, null);
  }

  public NpyDType dtype() {
    return dtype;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int ndim() {
    return shape.length;
  }

  /** {@code (3, 2)} as NumPy prints it. */
  public String shapeText() {
    return Npy.shapeText(shape);
  }

  Object data() {
    return data;
  }

  /** This 2-D float array as a block of its own dtype (shares the data). */
  public DenseBlock toBlock() {
    requireFloatMatrix(dtype, shape, where());
    return dtype == NpyDType.FLOAT64
        ? DenseBlock.ofDoubles(shape[0], shape[1], (double[]) data)
        : DenseBlock.ofFloats(shape[0], shape[1], (float[]) data);
  }

  /** This 1-D float array as float64 values (a vector such as b). */
  public double[] toVector() {
    requireFloatVector(dtype, shape, where());
    if (dtype == NpyDType.FLOAT64) {
      return ((double[]) data).clone();
    }
    float[] f = (float[]) data;
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  /** This 1-D int32/int64 array as int class ids; int64 values must fit an int. */
  public int[] toClasses() {
    requireClasses(dtype, shape, where());
    if (dtype == NpyDType.INT32) {
      return ((int[]) data).clone();
    }
    long[] l = (long[]) data;
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(where() + "class id " + l[i] + " at index " + i
            + " does not fit a 32-bit int");
      }
      out[i] = (int) l[i];
    }
    return out;
  }

  static void requireFloatMatrix(NpyDType dtype, int[] shape, String where) {
    if (shape.length != 2 || !dtype.isFloat()) {
      throw new IllegalArgumentException(where + "expected a 2-D float64 or float32 array, got "
          + "shape " + Npy.shapeText(shape) + " " + dtype.label());
    }
  }

  static void requireFloatVector(NpyDType dtype, int[] shape, String where) {
    if (shape.length != 1 || !dtype.isFloat()) {
      throw new IllegalArgumentException(where + "expected a 1-D float64 or float32 array, got "
          + "shape " + Npy.shapeText(shape) + " " + dtype.label());
    }
  }

  static void requireClasses(NpyDType dtype, int[] shape, String where) {
    if (shape.length != 1 || dtype.isFloat()) {
      throw new IllegalArgumentException(where + "expected a 1-D int32 or int64 array of class "
          + "ids, got shape " + Npy.shapeText(shape) + " " + dtype.label());
    }
  }

  private String where() {
    return source == null ? "" : source + ": ";
  }

  @Override
  public String toString() {
    return "NpyArray(" + dtype.label() + ", " + Arrays.toString(shape) + ")";
  }
}
