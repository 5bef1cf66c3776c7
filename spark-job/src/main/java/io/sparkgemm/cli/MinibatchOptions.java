package io.sparkgemm.cli;

import static io.sparkgemm.cli.TrainCommand.refuse;

import io.sparkgemm.spark.train.LrSchedule;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * train's minibatch options (sgd, adam): rows per step, epochs, Adam's moments, weight decay,
 * the learning-rate schedule and the per-step lines. Unset options keep TrainSpec's defaults;
 * {@link #check} refuses those that do not fit the optimizer or the schedule.
 */
final class MinibatchOptions {
  @Option(names = "--batch-rows", descriptionKey = "batchRows", paramLabel = "B",
      description = "sgd, adam: rows per step. Default: " + TrainSpec.BATCH_ROWS + ".")
  Integer batchRows;

  @Option(names = "--epochs", descriptionKey = "epochs", paramLabel = "E",
      description = "sgd, adam: passes over the rows. Default: " + TrainSpec.EPOCHS + ".")
  Integer epochs;

  @Option(names = "--beta1", descriptionKey = "beta1", paramLabel = "B1",
      description = "adam: decay of the first moment, in [0, 1). Default: " + TrainSpec.BETA1
          + ".")
  Double beta1;

  @Option(names = "--beta2", descriptionKey = "beta2", paramLabel = "B2",
      description = "adam: decay of the second moment, in [0, 1). Default: " + TrainSpec.BETA2
          + ".")
  Double beta2;

  @Option(names = "--epsilon", descriptionKey = "epsilon", paramLabel = "EPS",
      description = "adam: added to the root of the second moment. Default: "
          + TrainSpec.EPSILON + ".")
  Double epsilon;

  @Option(names = "--weight-decay", descriptionKey = "weightDecay", paramLabel = "LAMBDA",
      description = "sgd: L2 through the gradient (g += λ·W); adam: decoupled, AdamW "
          + "(θ -= lr·λ·W). Biases are not decayed. Default: " + TrainSpec.WEIGHT_DECAY + ".")
  Double weightDecay;

  @Option(names = "--lr-schedule", descriptionKey = "lrSchedule", paramLabel = "NAME",
      converter = Choices.Schedules.class, completionCandidates = Choices.Schedules.class,
      description = "sgd, adam: constant, step (x GAMMA every N steps) or cosine (to --lr-min "
          + "over all steps). Default: " + TrainSpec.LR_SCHEDULE + ".")
  LrSchedule lrSchedule;

  @Option(names = "--warmup-steps", descriptionKey = "warmupSteps", paramLabel = "N",
      description = "sgd, adam: linear warm-up from lr/N to lr over the first N steps. "
          + "Default: " + TrainSpec.WARMUP_STEPS + ".")
  Integer warmupSteps;

  @Option(names = "--lr-step-every", descriptionKey = "lrStepEvery", paramLabel = "N",
      description = "--lr-schedule step: steps between decays.")
  Integer lrStepEvery;

  @Option(names = "--lr-gamma", descriptionKey = "lrGamma", paramLabel = "GAMMA",
      description = "--lr-schedule step: the factor per decay, in (0, 1]. Default: "
          + TrainSpec.LR_GAMMA + ".")
  Double lrGamma;

  @Option(names = "--lr-min", descriptionKey = "lrMin", paramLabel = "RATE",
      description = "--lr-schedule cosine: the rate it ends at. Default: " + TrainSpec.LR_MIN
          + ".")
  Double lrMin;
  @Option(names = "--log-every", paramLabel = "N",
      description = "sgd, adam: a line every N steps as well as every epoch.")
  Integer logEvery;

  /** Refuses, naming the flag, what {@code optimizer} and the schedule do not use. */
  void check(Optimizer optimizer) {
    if (!optimizer.minibatch()) {
      String full = optimizer.label() + " trains full-batch (all rows every iteration)";
      refuse(batchRows, "--batch-rows", "is for --optimizer sgd or adam; " + full);
      refuse(epochs, "--epochs", "is for --optimizer sgd or adam; " + full
          + " and stops at --max-iter");
      refuse(weightDecay, "--weight-decay", "is for --optimizer sgd or adam; " + full
          + ": use --reg");
      for (Object[] f : new Object[][] {{lrSchedule, "--lr-schedule"}, {warmupSteps,
          "--warmup-steps"}, {lrStepEvery, "--lr-step-every"}, {lrGamma, "--lr-gamma"},
          {lrMin, "--lr-min"}, {logEvery, "--log-every"}}) {
        refuse(f[0], (String) f[1], "is for --optimizer sgd or adam");
      }
    }
    if (optimizer != Optimizer.ADAM) {
      for (Object[] f : new Object[][] {{beta1, "--beta1"}, {beta2, "--beta2"},
          {epsilon, "--epsilon"}}) {
        refuse(f[0], (String) f[1], "is for --optimizer adam");
      }
    }
    if (schedule() != LrSchedule.STEP) {
      refuse(lrStepEvery, "--lr-step-every", "is for --lr-schedule step");
      refuse(lrGamma, "--lr-gamma", "is for --lr-schedule step");
    }
    if (schedule() != LrSchedule.COSINE) {
      refuse(lrMin, "--lr-min", "is for --lr-schedule cosine");
    }
    if (logEvery != null && logEvery < 1) {
      throw new IllegalArgumentException("--log-every must be >= 1, got " + logEvery);
    }
    if (batchRows != null && batchRows == 0) {
      throw new IllegalArgumentException("--batch-rows must be >= 1, got 0");
    }
    if (epochs != null && epochs == 0) {
      throw new IllegalArgumentException("--epochs must be >= 1, got 0");
    }
  }

  /** The given options into {@code b} (the others keep its defaults). */
  void apply(TrainSpec.Builder b) {
    set(lrSchedule, b::lrSchedule);
    set(batchRows, b::batchRows);
    set(epochs, b::epochs);
    set(beta1, b::beta1);
    set(beta2, b::beta2);
    set(epsilon, b::epsilon);
    set(weightDecay, b::weightDecay);
    set(lrGamma, b::lrGamma);
    set(lrMin, b::lrMin);
    set(warmupSteps, b::warmupSteps);
    set(lrStepEvery, b::lrStepEvery);
  }

  /** Steps between per-step lines; 0: only per epoch. */
  int logEvery() {
    return logEvery == null ? 0 : logEvery;
  }

  private LrSchedule schedule() {
    return lrSchedule == null ? LrSchedule.parse(TrainSpec.LR_SCHEDULE) : lrSchedule;
  }

  /** {@code value} into {@code setter} when the option was given. */
  static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
