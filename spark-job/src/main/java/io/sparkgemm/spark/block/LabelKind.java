package io.sparkgemm.spark.block;

/** What the rows carry besides their features. */
public enum LabelKind {
  /** nothing: forward, or a loss that needs no labels (sum, mean) */
  NONE,
  /** regression targets, k values per row (mse) */
  TARGETS,
  /** an integer class id per row (softmax-ce) */
  CLASSES,
  /** a supplied upstream gradient, k values per row */
  UPSTREAM
}
