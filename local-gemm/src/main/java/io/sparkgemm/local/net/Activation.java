package io.sparkgemm.local.net;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The nonlinearity after a hidden layer. */
public enum Activation {
  IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, GELU;

  /** The labels, in order. */
  public static final List<String> LABELS = Arrays.stream(values()).map(Activation::label)
      .toList();

  /** The name users type: {@code identity, relu, leaky-relu, tanh, sigmoid, gelu}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The activation called {@code label} (any case). */
  public static Activation parse(String label) {
    int i = LABELS.indexOf(label == null ? "" : label.toLowerCase(Locale.ROOT));
    if (i >= 0) {
      return values()[i];
    }
    throw new IllegalArgumentException("Unknown activation '" + label + "': expected one of "
        + String.join(", ", LABELS));
  }
}
