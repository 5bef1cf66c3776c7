package io.sparkgemm.local;

import java.util.Locale;

/** How an initial W is made: zeros, or one of {@link WeightInit}'s seeded schemes. */
public enum Init {
  ZEROS, XAVIER, HE, ORTHOGONAL;

  /** The lower-case name users type: {@code zeros, xavier, he} or {@code orthogonal}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scheme called {@code label}, in any case. */
  public static Init parse(String label) {
    for (Init init : values()) {
      if (init.label().equals(label.toLowerCase(Locale.ROOT))) {
        return init;
      }
    }
    throw new IllegalArgumentException("Unknown init '" + label + "': expected one of zeros, "
        + String.join(", ", WeightInit.SCHEMES));
  }

  /** W, d x k float64: zeros, or drawn with {@code seed}. */
  public DenseBlock create(int inFeatures, int outFeatures, long seed) {
    return this == ZEROS ? DenseBlock.zeros(DType.FLOAT64, inFeatures, outFeatures)
        : WeightInit.create(this, inFeatures, outFeatures, seed);
  }
}
