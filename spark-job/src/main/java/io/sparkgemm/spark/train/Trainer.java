package io.sparkgemm.spark.train;

import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import java.util.ArrayList;
import java.util.List;

/**
 * Training: full-batch gd and L-BFGS (every iteration evaluates the objective with one or a few
 * fused passes over the cached blocks), or minibatch sgd and adam (one pass over a step's
 * minibatch per step, {@link MinibatchTrainer}). Reports each iteration (full-batch) or each step
 * and epoch (minibatch) to a listener, which prints them and writes checkpoints.
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
     * Minibatch: after each step; when the step ends an epoch, after {@link #onIteration} and
     * before {@link #onEpoch}.
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
          + " parameters but " + parameters(objective.network()) + " "
          + objective.numParameters());
    }
    if (spec.optimizer().minibatch()) {
      return trainMinibatch(batches(objective), spec, start, listener);
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
    Outcome outcome = MinibatchTrainer.run(objective, spec, start, recording);
    return new Result(outcome.theta(), history, outcome.stopReason(), steps[0],
        (System.nanoTime() - begin) / 1e9, epochs);
  }

  /**
   * What holds the parameters, for messages: "W (d x k) and b need" for the linear model, "the
   * network d-h(relu)-k needs" otherwise.
   */
  static String parameters(Network network) {
    return network.numLayers() == 1
        ? "W (" + network.inFeatures() + "x" + network.outFeatures() + ") and b need"
        : "the network " + network.describe() + " needs";
  }

  /** The distributed objective's minibatch steps, as {@link MinibatchTrainer} sees them. */
  static BatchObjective batches(Objective objective) {
    boolean[] mask = Theta.weightMask(objective.network());
    return new BatchObjective() {
      @Override
      public int numParameters() {
        return objective.numParameters();
      }

      @Override
      public boolean[] weightMask() {
        return mask;
      }

      @Override
      public int stepsPerEpoch(int batchRows) {
        return objective.stepsPerEpoch(batchRows);
      }

      @Override
      public Step evaluateBatch(double[] theta, long seed, int epoch, int step, int batchRows,
          int iteration) {
        Objective.Evaluation e = objective.evaluateBatch(theta,
            new MinibatchStep(seed, epoch, step, batchRows), iteration);
        return new Step(e.value(), e.loss(), e.gradient(), e.rows());
      }
    };
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
