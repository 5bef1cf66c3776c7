package io.sparkgemm.local;

/**
 * The one place for vector norms and relative errors, over all entries of an array (a matrix's
 * row-major values give its Frobenius norm). Sums run in index order, so a result depends only
 * on the values.
 */
public final class Norms {
  private Norms() {
  }

  /** ‖v‖ = √(Σ vᵢ²), Euclidean (Frobenius for a matrix). {@code v} is not modified. */
  public static double norm(double[] v) {
    double sum = 0.0;
    for (double x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  /**
   * ‖a − ref‖ / ‖ref‖ (Euclidean over all entries), or ‖a − ref‖ when ref is zero: the error of
   * a result against its reference. Neither array is modified.
   */
  public static double relativeError(double[] a, double[] ref) {
    Squares s = squares(a, ref);
    return s.ref == 0 ? Math.sqrt(s.diff) : Math.sqrt(s.diff / s.ref);
  }

  /** |a − ref| / |ref|, or |a| when ref is zero. */
  public static double relativeError(double a, double ref) {
    return ref == 0 ? Math.abs(a) : Math.abs(a - ref) / Math.abs(ref);
  }

  /**
   * ‖a − b‖ / max(‖a‖, ‖b‖), 0 when both are zero: symmetric, for two estimates of which neither
   * is the reference (an analytic against a numerical gradient).
   */
  public static double symmetricRelativeError(double[] a, double[] b) {
    Squares s = squares(a, b);
    double scale = Math.sqrt(Math.max(s.a, s.ref));
    return scale == 0.0 ? Math.sqrt(s.diff) : Math.sqrt(s.diff) / scale;
  }

  /** max |aᵢ − refᵢ| / max |refᵢ| (the largest difference against the largest value). */
  public static double maxRelativeError(double[] a, double[] ref) {
    checkLengths(a, ref);
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  /** Σ (aᵢ − refᵢ)², Σ aᵢ², Σ refᵢ². */
  private record Squares(double diff, double a, double ref) {
  }

  private static Squares squares(double[] a, double[] ref) {
    checkLengths(a, ref);
    double diff = 0;
    double na = 0;
    double nr = 0;
    for (int i = 0; i < a.length; i++) {
      double e = a[i] - ref[i];
      diff += e * e;
      na += a[i] * a[i];
      nr += ref[i] * ref[i];
    }
    return new Squares(diff, na, nr);
  }

  private static void checkLengths(double[] a, double[] ref) {
    if (a.length != ref.length) {
      throw new IllegalArgumentException("Cannot compare " + a.length + " values with "
          + ref.length);
    }
  }
}
