package io.sparkgemm.local;

import java.io.Serializable;

/**
 * Sums of the weight gradient (d x k, row-major), the bias gradient (k), the loss and the row
 * count, always in float64. The only mutable object of a pass: the kernels add into
 * {@link #dw()} and {@link #db()} in place, and {@link #addLoss} and {@link #merge} modify and
 * return {@code this}, so it can be a Spark aggregation buffer.
 */
public final class GradientAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int inFeatures;
  private final int outFeatures;
  private final double[] dw;
  private final double[] db;
  private double loss;
  private long numRows;
  /** float32 blocks: their sgemm partial lands here before it is added into dw. */
  private transient float[] scratch;

  public GradientAccumulator(int inFeatures, int outFeatures) {
    DenseBlock.checkShape(inFeatures, outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.dw = new double[inFeatures * outFeatures];
    this.db = new double[outFeatures];
  }

  public int inFeatures() {
    return inFeatures;
  }

  public int outFeatures() {
    return outFeatures;
  }

  /** dW, d x k row-major (shared, not copied). */
  public double[] dw() {
    return dw;
  }

  /** db, length k (shared, not copied). */
  public double[] db() {
    return db;
  }

  public double loss() {
    return loss;
  }

  public long numRows() {
    return numRows;
  }

  /** dW as a d x k float64 block sharing this accumulator's array. */
  public DenseBlock dwBlock() {
    return DenseBlock.ofDoubles(inFeatures, outFeatures, dw);
  }

  /** Adds a block's loss and row count. Modifies and returns this. */
  public GradientAccumulator addLoss(double blockLoss, long blockRows) {
    loss += blockLoss;
    numRows += blockRows;
    return this;
  }

  /** Adds another accumulator's sums, element by element in index order. Returns this. */
  public GradientAccumulator merge(GradientAccumulator other) {
    if (other.inFeatures != inFeatures || other.outFeatures != outFeatures) {
      throw new IllegalArgumentException("Cannot merge gradients of " + other.inFeatures + "x"
          + other.outFeatures + " into " + inFeatures + "x" + outFeatures);
    }
    for (int i = 0; i < dw.length; i++) {
      dw[i] += other.dw[i];
    }
    for (int j = 0; j < db.length; j++) {
      db[j] += other.db[j];
    }
    loss += other.loss;
    numRows += other.numRows;
    return this;
  }

  /**
   * Columns {@code [from, to)} of dW and db as a new accumulator (copied), with this one's loss
   * and row count: one shard of a gradient reduced in column ranges.
   */
  public GradientAccumulator columns(int from, int to) {
    checkColumns(from, to - from);
    int width = to - from;
    GradientAccumulator slice = new GradientAccumulator(inFeatures, width);
    for (int i = 0; i < inFeatures; i++) {
      System.arraycopy(dw, i * outFeatures + from, slice.dw, i * width, width);
    }
    System.arraycopy(db, from, slice.db, 0, width);
    slice.loss = loss;
    slice.numRows = numRows;
    return slice;
  }

  /** Copies a shard made by {@link #columns} back into columns {@code [from, from + width)}. */
  public void setColumns(int from, GradientAccumulator slice) {
    if (slice.inFeatures != inFeatures) {
      throw new IllegalArgumentException("A column shard with " + slice.inFeatures
          + " rows does not fit dW with " + inFeatures);
    }
    int width = slice.outFeatures;
    checkColumns(from, width);
    for (int i = 0; i < inFeatures; i++) {
      System.arraycopy(slice.dw, i * width, dw, i * outFeatures + from, width);
    }
    System.arraycopy(slice.db, 0, db, from, width);
  }

  private void checkColumns(int from, int width) {
    if (from < 0 || width < 0 || from + width > outFeatures) {
      throw new IndexOutOfBoundsException("Columns [" + from + ", " + (from + width)
          + ") of a gradient with " + outFeatures + " columns");
    }
  }

  float[] scratch() {
    if (scratch == null) {
      scratch = new float[dw.length];
    }
    return scratch;
  }
}
