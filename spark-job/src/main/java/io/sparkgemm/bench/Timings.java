package io.sparkgemm.bench;

import java.util.Arrays;

/** Median, minimum and maximum of repeated timings, in seconds. */
public record Timings(double median, double min, double max, int count) {

  public static Timings of(double[] seconds) {
    if (seconds.length == 0) {
      throw new IllegalArgumentException("No timings");
    }
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Timings(median, sorted[0], sorted[n - 1], n);
  }
}
