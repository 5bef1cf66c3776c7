package io.sparkgemm.spark.train;

/** The loss or the gradient stopped being finite; names the iteration where it happened. */
public final class TrainingDivergedException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final int iteration;

  public TrainingDivergedException(int iteration, String message) {
    super(message);
    this.iteration = iteration;
  }

  public int iteration() {
    return iteration;
  }
}
