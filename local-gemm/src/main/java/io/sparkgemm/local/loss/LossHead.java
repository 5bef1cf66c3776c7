package io.sparkgemm.local.loss;

import io.sparkgemm.local.DenseBlock;

/**
 * Turns one block's output y into the upstream gradient {@code g = dL/dy} and the block's share
 * of the loss L. Shares add up over blocks to the whole batch's loss: heads that average divide
 * by the global row count, known before the pass. Everything is computed in float64; g is
 * written in y's dtype.
 */
public interface LossHead {

  /** The name users select it by: {@code sum}, {@code mean}, {@code mse}, ... */
  String name();

  /** True when {@link #lossAndGradient} reads {@code labels}. */
  boolean needsLabels();

  /**
   * Writes g (same shape and dtype as y; modified) and returns this block's share of the loss.
   *
   * @param labels targets, classes or a supplied gradient, as the head needs; may be null when
   *     {@link #needsLabels()} is false
   */
  default double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g) {
    return lossAndGradient(y, labels, g, 0, y.numRows());
  }

  /**
   * The same for rows {@code from} (inclusive) to {@code to} (exclusive) of the block only: writes
   * those rows of g, leaves the others alone, and returns their share of the loss. Labels stay
   * aligned with the whole block's rows. Lets a backward step work through a block in panels of
   * rows that stay in cache ({@code LinearKernels.backward}).
   *
   * @throws IllegalArgumentException when the rows are not within the block
   */
  double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g, int from, int to);

  /** Checks {@code 0 <= from <= to <= y's rows}, naming the block's shape otherwise. */
  static void checkRows(DenseBlock y, int from, int to) {
    if (from < 0 || to < from || to > y.numRows()) {
      throw new IllegalArgumentException("Rows " + from + ".." + to + " are not within y "
          + y.shape() + " (expected 0 <= from <= to <= " + y.numRows() + ")");
    }
  }
}
