package io.sparkgemm.spark.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Training: full-batch gd and L-BFGS (every iteration evaluates the objective with one or a few
 * fused passes over the cached blocks), or minibatch sgd and adam (one pass over a step's
 * minibatch per step, {@link Minibatch}). Reports each iteration (full-batch) or each step and
 * epoch (minibatch) to a listener, which prints them and writes checkpoints.
 */
public final class Trainer {
  private Trainer() {
  }

  /** Called after each iteration, the starting point (iteration 0) included. */
  public interface Listener {
    /**
     * Full-batch: after each iteration. Minibatch: after each epoch, with the epoch's means
     * ({@link IterationRecord#iteration()} is then the steps taken so far).
     *
     * @param theta the parameters reached (layer by layer; do not modify)
     * @param velocity gd's or sgd's momentum buffer, or null
     */
    void onIteration(IterationRecord record, double[] theta, double[] velocity);

    /**
     * Minibatch: after each step, before {@link #onEpoch} when the step ends an epoch.
     *
     * @param state the optimizer's state after the step (shared; copy it to keep it)
     */
    default void onStep(StepRecord record, double[] theta, MinibatchState state) {
    }

    /** Minibatch: after each epoch, with its line's numbers. */
    default void onEpoch(EpochRecord record, double[] theta, MinibatchState state) {
    }
  }

  /**
   * Where training starts: a fresh start (iteration 0, empty history) or a checkpoint.
   *
   * @param velocity gd's momentum buffer from a checkpoint, or null
   * @param minibatch sgd's or adam's state from a checkpoint, or null
   */
  public record Start(double[] theta, int iteration, double[] velocity,
      List<IterationRecord> history, MinibatchState minibatch) {
    public Start(double[] theta, int iteration, double[] velocity,
        List<IterationRecord> history) {
      this(theta, iteration, velocity, history, null);
    }

    public static Start fresh(double[] theta) {
      return new Start(theta, 0, null, List.of(), null);
    }
  }

  /**
   * @param stopReason why training stopped
   * @param epochs minibatch: one record per epoch (resumed runs: the checkpoint's first);
   *     full-batch: empty
   */
  public record Result(double[] theta, List<IterationRecord> history, StopReason stopReason,
      int passes, double seconds, List<EpochRecord> epochs) {
    public Result(double[] theta, List<IterationRecord> history, StopReason stopReason,
        int passes, double seconds) {
      this(theta, history, stopReason, passes, seconds, List.of());
    }

    public IterationRecord last() {
      return history.get(history.size() - 1);
    }
  }

  public static Result train(Objective objective, TrainSpec spec, Start start,
      Listener listener) {
    if (start.theta().length != objective.numParameters()) {
      throw new IllegalArgumentException("The starting point has " + start.theta().length
          + " parameters but W (" + objective.inFeatures() + "x" + objective.outFeatures()
          + ") and b need " + objective.numParameters());
    }
    long begin = System.nanoTime();
    int passesBefore = objective.passes();
    List<IterationRecord> history = new ArrayList<>(start.history());
    Listener recording = recording(history, listener);
    Outcome outcome = spec.optimizer() == Optimizer.GD
        ? GradientDescent.run(objective, spec, start, recording)
        : Lbfgs.run(objective, spec, start, recording);
    return new Result(outcome.theta(), history, outcome.stopReason(),
        objective.passes() - passesBefore, (System.nanoTime() - begin) / 1e9);
  }

  /** Minibatch training (sgd, adam) over any {@link BatchObjective}: one pass per step. */
  static Result trainMinibatch(BatchObjective objective, TrainSpec spec, Start start,
      Listener listener) {
    if (!spec.optimizer().minibatch()) {
      throw new IllegalArgumentException("optimizer " + spec.optimizer().label() + " is not a "
          + "minibatch optimizer (sgd or adam)");
    }
    long begin = System.nanoTime();
    List<IterationRecord> history = new ArrayList<>(start.history());
    List<EpochRecord> epochs = new ArrayList<>(start.minibatch() == null ? List.of()
        : start.minibatch().epochs());
    int[] steps = {0};
    Listener recording = new Listener() {
      @Override
      public void onIteration(IterationRecord record, double[] theta, double[] velocity) {
        history.add(record);
        listener.onIteration(record, theta, velocity);
      }

      @Override
      public void onStep(StepRecord record, double[] theta, MinibatchState state) {
        steps[0]++;
        listener.onStep(record, theta, state);
      }

      @Override
      public void onEpoch(EpochRecord record, double[] theta, MinibatchState state) {
        epochs.add(record);
        listener.onEpoch(record, theta, state);
      }
    };
    Outcome outcome = Minibatch.run(objective, spec, start, recording);
    return new Result(outcome.theta(), history, outcome.stopReason(), steps[0],
        (System.nanoTime() - begin) / 1e9, epochs);
  }

  private static Listener recording(List<IterationRecord> history, Listener listener) {
    return new Listener() {
      @Override
      public void onIteration(IterationRecord record, double[] theta, double[] velocity) {
        history.add(record);
        listener.onIteration(record, theta, velocity);
      }
    };
  }

  /** What an optimizer hands back. */
  record Outcome(double[] theta, StopReason stopReason) {
  }
}
