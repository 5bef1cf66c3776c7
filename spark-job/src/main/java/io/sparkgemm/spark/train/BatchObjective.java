package io.sparkgemm.spark.train;

/**
 * What minibatch training needs of an objective: the gradient of one step's minibatch. The
 * distributed {@link Objective} is one; tests use small in-memory ones.
 */
public interface BatchObjective {
  /**
   * One step's evaluation.
   *
   * @param value the minibatch's mean loss + (reg/2)·Σ||W_l||²
   * @param loss the mean loss alone
   * @param gradient ∇value, one entry per parameter
   * @param rows the rows of the minibatch
   */
  record Step(double value, double loss, double[] gradient, long rows) {
  }

  int numParameters();

  /** Whether θ[i] is a weight (decayed) rather than a bias; one entry per parameter. */
  boolean[] weightMask();

  /** Steps in one epoch of {@code batchRows}-row minibatches. */
  int stepsPerEpoch(int batchRows);

  /**
   * The objective over step {@code step} (0-based) of epoch {@code epoch}'s minibatch, the rows
   * chosen by {@code seed}.
   *
   * @param theta not modified
   * @param iteration the steps taken before this one + 1, for messages
   */
  Step evaluateBatch(double[] theta, long seed, int epoch, int step, int batchRows,
      int iteration);
}
