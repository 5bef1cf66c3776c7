package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;

/**
 * Row-wise softmax in place: {@code y[r][c] = exp(y[r][c] − m) / Σ_c' exp(y[r][c'] − m)} with m
 * the row's max (so no exp overflows), in float64, written back in y's dtype.
 */
final class RowSoftmax {
  private RowSoftmax() {
  }

  /** Replaces every row of {@code y} (modified) by its softmax. */
  static void apply(DenseBlock y) {
    int k = y.numCols();
    double[] e = new double[k];
    for (int r = 0; r < y.numRows(); r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        max = Math.max(max, y.get(r, c));
      }
      double sum = 0.0;
      for (int c = 0; c < k; c++) {
        e[c] = Math.exp(y.get(r, c) - max);
        sum += e[c];
      }
      int off = r * k;
      if (y.dtype() == DType.FLOAT64) {
        double[] v = y.doubles();
        for (int c = 0; c < k; c++) {
          v[off + c] = e[c] / sum;
        }
      } else {
        float[] v = y.floats();
        for (int c = 0; c < k; c++) {
          v[off + c] = (float) (e[c] / sum);
        }
      }
    }
  }
}
