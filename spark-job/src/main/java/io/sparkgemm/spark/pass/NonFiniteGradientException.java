package io.sparkgemm.spark.pass;

/** A pass over finite inputs gave NaN or ±Inf gradients: the job fails and writes nothing. */
public final class NonFiniteGradientException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public NonFiniteGradientException(String message) {
    super(message);
  }
}
