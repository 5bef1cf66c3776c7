package io.sparkgemm.spark.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-batch training: every iteration evaluates the objective with one (gd) or a few (L-BFGS
 * line search) fused passes over the cached blocks. Reports each iteration to a listener, which
 * prints it and writes checkpoints.
 */
public final class Trainer {
  private Trainer() {
  }

  /** Called after each iteration, the starting point (iteration 0) included. */
  public interface Listener {
    /**
     * @param theta the parameters reached (W then b; do not modify)
     * @param velocity gd's momentum buffer, or null
     */
    void onIteration(IterationRecord record, double[] theta, double[] velocity);
  }

  /**
   * Where training starts: a fresh start (iteration 0, empty history) or a checkpoint.
   *
   * @param velocity gd's momentum buffer from a checkpoint, or null
   */
  public record Start(double[] theta, int iteration, double[] velocity,
      List<IterationRecord> history) {
    public static Start fresh(double[] theta) {
      return new Start(theta, 0, null, List.of());
    }
  }

  /**
   * @param stopReason why training stopped
   */
  public record Result(double[] theta, List<IterationRecord> history, StopReason stopReason,
      int passes, double seconds) {
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
    Listener recording = (record, theta, velocity) -> {
      history.add(record);
      listener.onIteration(record, theta, velocity);
    };
    Outcome outcome = spec.optimizer() == Optimizer.GD
        ? GradientDescent.run(objective, spec, start, recording)
        : Lbfgs.run(objective, spec, start, recording);
    return new Result(outcome.theta(), history, outcome.stopReason(),
        objective.passes() - passesBefore, (System.nanoTime() - begin) / 1e9);
  }

  /** What an optimizer hands back. */
  record Outcome(double[] theta, StopReason stopReason) {
  }
}
