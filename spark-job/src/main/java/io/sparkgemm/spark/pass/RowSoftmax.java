package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;

/**
 * Row-wise softmax in place: {@code y[r][c] = exp(y[r][c] − m) / Σ_c' exp(y[r][c'] − m)} with m
 * the row's max (so no exp overflows), in float64, written back in y's dtype. The forward pass's
 * kept probabilities and the Pipeline classifier's probability column are both this function.
 */
public final class RowSoftmax {
  private RowSoftmax() {
  }

  /** Replaces every row of {@code y} (modified) by its softmax. */
  static void apply(DenseBlock y) {
    int k = y.numCols();
    double[] row = new double[k];
    for (int r = 0; r < y.numRows(); r++) {
      for (int c = 0; c < k; c++) {
        row[c] = y.get(r, c);
      }
      inPlace(row);
      int off = r * k;
      if (y.dtype() == DType.FLOAT64) {
        System.arraycopy(row, 0, y.doubles(), off, k);
      } else {
        float[] v = y.floats();
        for (int c = 0; c < k; c++) {
          v[off + c] = (float) row[c];
        }
      }
    }
  }

  /** Replaces one row of logits {@code y} (modified) by its softmax. */
  public static void inPlace(double[] y) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : y) {
      max = Math.max(max, v);
    }
    double sum = 0.0;
    for (int c = 0; c < y.length; c++) {
      y[c] = Math.exp(y[c] - max);
      sum += y[c];
    }
    for (int c = 0; c < y.length; c++) {
      y[c] /= sum;
    }
  }
}
