package io.sparkgemm.bench;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/** Median, minimum and maximum of repeated timings, in seconds. */
public record Timings(double median, double min, double max, int count) {

  /**
   * {@code warmups} untimed runs (the JIT compiles Spark's and our code paths on the first
   * ones: on 2 cores its compiler threads were seen taking a third of the CPU for the first
   * minute), a full garbage collection (so that garbage from earlier contenders is not collected
   * during the timed runs), then {@code reps} timed runs. {@code run} does one run and returns
   * its seconds (its own measure, or {@link #wall}).
   */
  public static Timings measure(int warmups, int reps, DoubleSupplier run) {
    for (int i = 0; i < warmups; i++) {
      run.getAsDouble();
    }
    settle();
    double[] seconds = new double[reps];
    for (int r = 0; r < reps; r++) {
      seconds[r] = run.getAsDouble();
    }
    return of(seconds);
  }

  /** Wall seconds of {@code action}. */
  public static double wall(Runnable action) {
    long start = System.nanoTime();
    action.run();
    return (System.nanoTime() - start) / 1e9;
  }

  /** Collects the garbage of earlier work before something is timed. */
  public static void settle() {
    System.gc();
  }

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
