package io.sparkgemm.spark;

import io.sparkgemm.local.NamesParameters;
import io.sparkgemm.local.ParamText;

/**
 * A command stopped by SIGINT or SIGTERM ({@link Interrupts}); the message says what it left
 * behind and how to continue.
 */
public final class RunInterruptedException extends RuntimeException implements NamesParameters {
  private static final long serialVersionUID = 1L;

  private final ParamText text;

  public RunInterruptedException(ParamText text, Throwable cause) {
    super(text.toString(), cause);
    this.text = text;
  }

  @Override
  public ParamText text() {
    return text;
  }
}
