package io.sparkgemm.spark.pass;

import io.sparkgemm.local.NamesParameters;
import io.sparkgemm.local.ParamText;

/** A pass over finite inputs gave NaN or ±Inf gradients: the job fails and writes nothing. */
public final class NonFiniteGradientException extends IllegalStateException
    implements NamesParameters {
  private static final long serialVersionUID = 1L;

  private final ParamText text;

  public NonFiniteGradientException(ParamText text) {
    super(text.toString());
    this.text = text;
  }

  @Override
  public ParamText text() {
    return text;
  }
}
