package io.sparkgemm.spark.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How training moves: full-batch gradient descent (momentum, Nesterov) or Breeze's L-BFGS, one
 * or a few passes over all rows per iteration; or minibatch sgd (momentum, Nesterov) or Adam,
 * one pass over a slice of the rows per step.
 */
public enum Optimizer {
  GD, LBFGS, SGD, ADAM;

  /** The labels, in order. */
  public static final List<String> LABELS = Arrays.stream(values()).map(Optimizer::label)
      .toList();

  /** The lower-case name users type: {@code gd, lbfgs, sgd} or {@code adam}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a step sees a minibatch ({@code batchRows} rows) rather than all rows. */
  public boolean minibatch() {
    return this == SGD || this == ADAM;
  }

  /** The optimizer called {@code label} (exactly as {@link #label()} spells it). */
  public static Optimizer parse(String label) {
    int i = LABELS.indexOf(label);
    if (i >= 0) {
      return values()[i];
    }
    throw new IllegalArgumentException("Unknown optimizer '" + label + "': expected "
        + String.join(", ", LABELS.subList(0, LABELS.size() - 1)) + " or "
        + LABELS.get(LABELS.size() - 1));
  }
}
