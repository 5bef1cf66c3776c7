package io.sparkgemm.local;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A dense row-major matrix block ({@code a[r * numCols + c]}) of float64 or float32 values, with
 * optional 64-bit row ids (the ids of the dataset rows stacked into this block).
 *
 * <p>Exactly one of the two value arrays is non-null, matching {@link #dtype()}. The arrays are
 * exposed without copying because blocks are the unit handed to BLAS; methods that modify a block
 * say so in their Javadoc.
 */
public final class DenseBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int numRows;
  private final int numCols;
  private final double[] f64;
  private final float[] f32;
  private final long[] rowIds;

  private DenseBlock(int numRows, int numCols, double[] f64, float[] f32, long[] rowIds) {
    checkShape(numRows, numCols);
    int length = f64 != null ? f64.length : f32.length;
    if (length != numRows * numCols) {
      throw new IllegalArgumentException("Block data has " + length + " values but the shape "
          + numRows + "x" + numCols + " needs " + (long) numRows * numCols);
    }
    if (rowIds != null && rowIds.length != numRows) {
      throw new IllegalArgumentException("Block has " + numRows + " rows but " + rowIds.length
          + " row ids");
    }
    this.numRows = numRows;
    this.numCols = numCols;
    this.f64 = f64;
    this.f32 = f32;
    this.rowIds = rowIds;
  }

  /** Rejects negative dimensions and blocks whose element count overflows a Java array index. */
  public static void checkShape(long numRows, long numCols) {
    if (numRows < 0 || numCols < 0) {
      throw new IllegalArgumentException("Block shape must be non-negative, got " + numRows + "x"
          + numCols);
    }
    if (numRows * numCols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Block shape " + numRows + "x" + numCols + " has "
          + numRows * numCols + " elements, more than one Java array can hold ("
          + (Integer.MAX_VALUE - 8) + "); use fewer rows per block");
    }
  }

  /** A float64 block over {@code values} (not copied). */
  public static DenseBlock ofDoubles(int numRows, int numCols, double[] values) {
    return new DenseBlock(numRows, numCols, values, null, null);
  }

  /** A float32 block over {@code values} (not copied). */
  public static DenseBlock ofFloats(int numRows, int numCols, float[] values) {
    return new DenseBlock(numRows, numCols, null, values, null);
  }

  /** A float64 block from row arrays (copied); every row must have the same length. */
  public static DenseBlock ofRows(double[][] rows) {
    int numCols = rows.length == 0 ? 0 : rows[0].length;
    double[] values = new double[rows.length * numCols];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != numCols) {
        throw new IllegalArgumentException("Ragged rows: row 0 has " + numCols
            + " values but row " + r + " has " + rows[r].length);
      }
      System.arraycopy(rows[r], 0, values, r * numCols, numCols);
    }
    return ofDoubles(rows.length, numCols, values);
  }

  /** A block of zeros. */
  public static DenseBlock zeros(DType dtype, int numRows, int numCols) {
    checkShape(numRows, numCols);
    return dtype == DType.FLOAT64
        ? ofDoubles(numRows, numCols, new double[numRows * numCols])
        : ofFloats(numRows, numCols, new float[numRows * numCols]);
  }

  /** The same values (shared, not copied) with the given row ids attached. */
  public DenseBlock withRowIds(long[] ids) {
    return new DenseBlock(numRows, numCols, f64, f32, ids);
  }

  public int numRows() {
    return numRows;
  }

  public int numCols() {
    return numCols;
  }

  public DType dtype() {
    return f64 != null ? DType.FLOAT64 : DType.FLOAT32;
  }

  /** {@code "rows x cols"}, for messages. */
  public String shape() {
    return numRows + "x" + numCols;
  }

  /** The float64 values (row-major, shared); fails if this is a float32 block. */
  public double[] doubles() {
    if (f64 == null) {
      throw new IllegalStateException("Block is float32, not float64");
    }
    return f64;
  }

  /** The float32 values (row-major, shared); fails if this is a float64 block. */
  public float[] floats() {
    if (f32 == null) {
      throw new IllegalStateException("Block is float64, not float32");
    }
    return f32;
  }

  public boolean hasRowIds() {
    return rowIds != null;
  }

  /** Row ids (shared), or null when the block has none. */
  public long[] rowIds() {
    return rowIds;
  }

  /** The id of row {@code r}: its stored id, else its index in this block. */
  public long rowId(int r) {
    return rowIds != null ? rowIds[r] : r;
  }

  public double get(int r, int c) {
    int i = r * numCols + c;
    return f64 != null ? f64[i] : f32[i];
  }

  /** Sets one value (rounded to float32 in a float32 block). Modifies this block. */
  public void set(int r, int c, double value) {
    int i = r * numCols + c;
    if (f64 != null) {
      f64[i] = value;
    } else {
      f32[i] = (float) value;
    }
  }

  /** A copy in the given dtype (rounding to nearest when narrowing); row ids are kept. */
  public DenseBlock toDType(DType target) {
    int size = numRows * numCols;
    if (target == DType.FLOAT64) {
      double[] out = new double[size];
      for (int i = 0; i < size; i++) {
        out[i] = f64 != null ? f64[i] : f32[i];
      }
      return new DenseBlock(numRows, numCols, out, null, rowIds);
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = f64 != null ? (float) f64[i] : f32[i];
    }
    return new DenseBlock(numRows, numCols, null, out, rowIds);
  }

  /** A deep copy (values and row ids). */
  public DenseBlock copy() {
    return new DenseBlock(numRows, numCols, f64 == null ? null : f64.clone(),
        f32 == null ? null : f32.clone(), rowIds == null ? null : rowIds.clone());
  }

  /** The transpose, as a new row-major block of the same dtype (row ids dropped). */
  public DenseBlock transpose() {
    DenseBlock t = zeros(dtype(), numCols, numRows);
    for (int r = 0; r < numRows; r++) {
      for (int c = 0; c < numCols; c++) {
        t.set(c, r, get(r, c));
      }
    }
    return t;
  }

  /** Values as float64 row arrays (copied), for printing and tests. */
  public double[][] toRows() {
    double[][] rows = new double[numRows][numCols];
    for (int r = 0; r < numRows; r++) {
      for (int c = 0; c < numCols; c++) {
        rows[r][c] = get(r, c);
      }
    }
    return rows;
  }

  @Override
  public String toString() {
    return "DenseBlock(" + shape() + ", " + dtype().label()
        + (numRows * numCols <= 16 ? ", " + Arrays.deepToString(toRows()) : "") + ")";
  }
}
