package io.sparkgemm.spark;

/**
 * A command stopped by SIGINT or SIGTERM ({@link Interrupts}); the message says what it left
 * behind and how to continue.
 */
public final class RunInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunInterruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
