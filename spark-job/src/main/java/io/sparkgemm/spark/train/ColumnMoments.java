package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.reduce.Mergeable;

/**
 * The rows, and per column the float64 mean and Σ(x − mean)², of some rows of X: a buffer of the
 * ordered tree reduction ({@link io.sparkgemm.spark.reduce.OrderedTreeReduce}). A partition adds
 * its rows one by one (Welford's update); buffers merge by Chan et al.'s pairwise update.
 */
final class ColumnMoments implements Mergeable<ColumnMoments> {
  private static final long serialVersionUID = 1L;

  private long rows;
  private final double[] mean;
  private final double[] m2;

  /** No rows yet, over {@code d} columns. */
  ColumnMoments(int d) {
    mean = new double[d];
    m2 = new double[d];
  }

  /** Bytes of the sums of {@code d} columns: the row count, the means and the Σ(x − mean)². */
  static long bytes(int d) {
    return 8L * (1 + 2L * d);
  }

  long rows() {
    return rows;
  }

  /** The columns' means (not a copy). */
  double[] mean() {
    return mean;
  }

  /** The columns' Σ(x − mean)² (not a copy). */
  double[] m2() {
    return m2;
  }

  /** Adds the rows of {@code x} (n x d, either dtype), in row order. Returns this. */
  ColumnMoments add(DenseBlock x) {
    int d = mean.length;
    double[] doubles = x.dtype() == DType.FLOAT64 ? x.doubles() : null;
    float[] floats = doubles == null ? x.floats() : null;
    for (int r = 0; r < x.numRows(); r++) {
      rows++;
      for (int c = 0; c < d; c++) {
        double v = doubles != null ? doubles[r * d + c] : floats[r * d + c];
        // Welford's update: exact enough for pixel-sized values and any row count
        double delta = v - mean[c];
        mean[c] += delta / rows;
        m2[c] += delta * (v - mean[c]);
      }
    }
    return this;
  }

  /**
   * Adds {@code other}'s rows (Chan et al.): mean += δ·n_b / n, M2 += M2_b + δ²·n_a·n_b / n with
   * δ = mean_b − mean_a and n = n_a + n_b; an empty buffer changes nothing. Returns this.
   */
  @Override
  public ColumnMoments merge(ColumnMoments other) {
    if (other.rows == 0) {
      return this;
    }
    double na = rows;
    double nb = other.rows;
    double total = na + nb;
    for (int c = 0; c < mean.length; c++) {
      double delta = other.mean[c] - mean[c];
      mean[c] += delta * nb / total;
      m2[c] += other.m2[c] + delta * delta * na * nb / total;
    }
    rows += other.rows;
    return this;
  }

  @Override
  public long sizeBytes() {
    return bytes(mean.length);
  }
}
