package io.sparkgemm.spark.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How training moves: gradient descent (momentum, Nesterov) or Breeze's L-BFGS. */
public enum Optimizer {
  GD, LBFGS;

  /** The labels, in order. */
  public static final List<String> LABELS = Arrays.stream(values()).map(Optimizer::label)
      .toList();

  /** The lower-case name users type: {@code gd} or {@code lbfgs}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The optimizer called {@code label} (exactly as {@link #label()} spells it). */
  public static Optimizer parse(String label) {
    int i = LABELS.indexOf(label);
    if (i >= 0) {
      return values()[i];
    }
    throw new IllegalArgumentException("Unknown optimizer '" + label + "': expected "
        + String.join(" or ", LABELS));
  }
}
