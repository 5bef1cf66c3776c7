package io.sparkgemm.cli;

import org.apache.spark.network.util.JavaUtils;

/** Byte sizes on the command line, in Spark's notation (64m, 1g, 512k, 1048576). */
final class Sizes {
  private Sizes() {
  }

  static long bytes(String option, String value) {
    long bytes;
    try {
      bytes = JavaUtils.byteStringAsBytes(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " '" + value + "' is not a size: expected a "
          + "number of bytes with an optional unit k, m, g or t (e.g. 64m)");
    }
    if (bytes <= 0) {
      throw new IllegalArgumentException(option + " must be > 0 bytes, got '" + value + "'");
    }
    return bytes;
  }
}
