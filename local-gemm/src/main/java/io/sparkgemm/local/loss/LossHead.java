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
  double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g);
}
