package io.sparkgemm.local;

import java.util.Locale;

/**
 * Element type of a block. Accumulators (dW, db, loss) are always float64 whatever the block's
 * type.
 */
public enum DType {
  FLOAT64(8),
  FLOAT32(4);

  /** The block type when none is given, as users type it (and the CLI shows it). */
  public static final String DEFAULT_LABEL = "float64";

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** The lower-case name users type: {@code float64} or {@code float32}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The block type when none is given: {@link #DEFAULT_LABEL}. */
  public static DType defaultType() {
    return parse(DEFAULT_LABEL);
  }

  /** Parses {@code float64|f64|double} or {@code float32|f32|float}. */
  public static DType parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "float64": case "f64": case "double": return FLOAT64;
      case "float32": case "f32": case "float": return FLOAT32;
      default:
        throw new IllegalArgumentException("Unknown dtype '" + text
            + "': expected float64 or float32");
    }
  }
}
