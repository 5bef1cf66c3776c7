package io.sparkgemm.bench;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Norms;
import java.io.Serializable;

/**
 * A random sketch {@code S = Vᵀ A} of an n-row result A (Y or dX), with V an n x 8 matrix of ±1
 * chosen by a hash of the row id: 8 x cols numbers that any blocking or row order of A gives
 * (up to rounding), so a distributed result can be checked against the floor's without holding
 * either on the driver. A wrong row, column or value changes the sketch with overwhelming
 * probability, and ‖Vᵀ(A − B)‖ / ‖Vᵀ B‖ estimates ‖A − B‖ / ‖B‖. {@link #add} and
 * {@link #merge} modify and return this.
 */
public final class RowSketch implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int ROWS = 8;

  private final int cols;
  private final double[] s;

  public RowSketch(int cols) {
    this.cols = cols;
    this.s = new double[ROWS * cols];
  }

  /** Adds row {@code id} of A, given as {@code values[offset .. offset + cols)}. */
  public RowSketch addRow(long id, double[] values, int offset) {
    return addPart(id, values, offset, 0, cols);
  }

  /**
   * Adds columns {@code [from, from + count)} of row {@code id} of A, given as
   * {@code values[offset .. offset + count)} (a tile of a blocked matrix).
   */
  public RowSketch addPart(long id, double[] values, int offset, int from, int count) {
    if (from < 0 || count < 0 || from + count > cols) {
      throw new IndexOutOfBoundsException("Columns [" + from + ", " + (from + count)
          + ") of a sketch of " + cols);
    }
    long bits = mix(id);
    for (int m = 0; m < ROWS; m++) {
      double sign = ((bits >>> m) & 1) == 0 ? 1.0 : -1.0;
      int base = m * cols + from;
      for (int c = 0; c < count; c++) {
        s[base + c] += sign * values[offset + c];
      }
    }
    return this;
  }

  /** Adds every row of a block that carries row ids (float64 or float32). */
  public RowSketch add(DenseBlock block) {
    if (block.numCols() != cols) {
      throw new IllegalArgumentException("Sketch of " + cols + " columns cannot take a block of "
          + block.shape());
    }
    double[] row = new double[cols];
    for (int r = 0; r < block.numRows(); r++) {
      for (int c = 0; c < cols; c++) {
        row[c] = block.get(r, c);
      }
      addRow(block.rowId(r), row, 0);
    }
    return this;
  }

  public RowSketch merge(RowSketch other) {
    if (other.cols != cols) {
      throw new IllegalArgumentException("Cannot merge a sketch of " + other.cols
          + " columns into one of " + cols);
    }
    for (int i = 0; i < s.length; i++) {
      s[i] += other.s[i];
    }
    return this;
  }

  /** ‖this − reference‖ / ‖reference‖ over the sketch entries. */
  public double relativeError(RowSketch reference) {
    return Norms.relativeError(s, reference.s);
  }

  private static long mix(long id) {
    long z = id + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
