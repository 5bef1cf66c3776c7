package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The learning rate of minibatch step s (s = 0, 1, ..., T − 1 over all epochs, T = epochs ·
 * steps per epoch), for a base rate lr and W warm-up steps:
 *
 * <pre>
 *   s &lt; W:     lr · (s + 1) / W                                  (linear warm-up)
 *   constant:  lr
 *   step:      lr · γ^⌊(s − W) / N⌋                               (every N steps after warm-up)
 *   cosine:    min + (lr − min) · (1 + cos(π · (s − W) / (T − W))) / 2
 * </pre>
 *
 * Cosine starts at lr right after the warm-up and would reach {@code min} at s = T, one step
 * past the last, so every step moves.
 */
public enum LrSchedule {
  CONSTANT, STEP, COSINE;

  /** The labels, in order. */
  public static final List<String> LABELS = Arrays.stream(values()).map(LrSchedule::label)
      .toList();

  /** The lower-case name users type. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The schedule called {@code label} (exactly as {@link #label()} spells it). */
  public static LrSchedule parse(String label) {
    int i = LABELS.indexOf(label);
    if (i >= 0) {
      return values()[i];
    }
    throw new BadParameterException("Unknown ", param("lrSchedule"), " '" + label + "': expected "
        + "constant, step or cosine");
  }

  /**
   * The rate of step {@code step} (0-based, counted over all epochs).
   *
   * @param totalSteps T, the steps of the whole run (cosine's length)
   */
  public static double at(TrainSpec spec, long step, long totalSteps) {
    double lr = spec.learningRate();
    long warmup = spec.warmupSteps();
    if (step < warmup) {
      return lr * (step + 1) / warmup;
    }
    long s = step - warmup;
    return switch (spec.lrSchedule()) {
      case CONSTANT -> lr;
      case STEP -> lr * Math.pow(spec.lrGamma(), s / spec.lrStepEvery());
      case COSINE -> {
        long span = Math.max(1, totalSteps - warmup);
        double min = spec.lrMin();
        yield min + (lr - min) * (1 + Math.cos(Math.PI * Math.min(s, span) / span)) / 2;
      }
    };
  }
}
