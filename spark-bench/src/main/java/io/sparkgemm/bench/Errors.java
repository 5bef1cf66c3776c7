package io.sparkgemm.bench;

/** Relative errors of a contender's result against the floor's. */
final class Errors {
  private Errors() {
  }

  /** ‖a − ref‖ / ‖ref‖ (Euclidean over all entries); ‖a‖ when ref is zero. */
  static double relative(double[] a, double[] ref) {
    if (a.length != ref.length) {
      throw new IllegalArgumentException("Cannot compare " + a.length + " values with "
          + ref.length);
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      double e = a[i] - ref[i];
      diff += e * e;
      norm += ref[i] * ref[i];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }

  /** |a − ref| / |ref|. */
  static double relative(double a, double ref) {
    return ref == 0 ? Math.abs(a) : Math.abs(a - ref) / Math.abs(ref);
  }

  /** The larger of two errors (dW and db of one result). */
  static double max(double a, double b) {
    return Math.max(a, b);
  }

  /** dW and db concatenated, so one relative error covers both. */
  static double[] concat(double[] a, double[] b) {
    double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
