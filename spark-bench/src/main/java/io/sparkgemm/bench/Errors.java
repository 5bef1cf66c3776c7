package io.sparkgemm.bench;

import java.util.Arrays;

/**
 * Helpers for comparing a contender's result with the floor's; the relative error itself is
 * {@code Norms.relativeError} in local-gemm.
 */
final class Errors {
  private Errors() {
  }

  /** dW and db concatenated, so one relative error covers both. */
  static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
