package io.sparkgemm.spark.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Where minibatch training is, everything a checkpoint needs to continue bit for bit: the
 * steps taken, the epoch and the step within it, sgd's velocity or Adam's moments m and v (its
 * t is {@link #step}), the running sums of the epoch under way and the finished epochs. Changed
 * by the trainer after every step; {@link #copy()} to keep one.
 */
public final class MinibatchState {
  /** Steps taken over all epochs (Adam's t). */
  long step;
  /** Finished epochs (the 0-based index of the one under way). */
  int epoch;
  /** Steps taken in the epoch under way. */
  int stepInEpoch;
  /** sgd's momentum buffer (null without momentum). */
  double[] velocity;
  /** Adam's first and second moments (null for sgd). */
  double[] m;
  double[] v;
  /** Sums over the epoch under way: objectives, data losses, rows, seconds. */
  double objectiveSum;
  double lossSum;
  long rows;
  double seconds;
  final List<EpochRecord> epochs = new ArrayList<>();

  MinibatchState() {
  }

  /** The state before the first step of {@code optimizer} over {@code numParameters}. */
  public static MinibatchState fresh(TrainSpec spec, int numParameters) {
    MinibatchState s = new MinibatchState();
    if (spec.optimizer() == Optimizer.ADAM) {
      s.m = new double[numParameters];
      s.v = new double[numParameters];
    } else if (spec.momentum() > 0) {
      s.velocity = new double[numParameters];
    }
    return s;
  }

  /**
   * A state read back from a checkpoint (arrays are taken, not copied).
   *
   * @param sums the epoch under way: objectiveSum, lossSum, seconds
   */
  public static MinibatchState of(long step, int epoch, int stepInEpoch, double[] velocity,
      double[] m, double[] v, double[] sums, long rows, List<EpochRecord> epochs) {
    MinibatchState s = new MinibatchState();
    s.step = step;
    s.epoch = epoch;
    s.stepInEpoch = stepInEpoch;
    s.velocity = velocity;
    s.m = m;
    s.v = v;
    s.objectiveSum = sums[0];
    s.lossSum = sums[1];
    s.seconds = sums[2];
    s.rows = rows;
    s.epochs.addAll(epochs);
    return s;
  }

  public MinibatchState copy() {
    return of(step, epoch, stepInEpoch, velocity == null ? null : velocity.clone(),
        m == null ? null : m.clone(), v == null ? null : v.clone(),
        new double[] {objectiveSum, lossSum, seconds}, rows, epochs);
  }

  public long step() {
    return step;
  }

  public int epoch() {
    return epoch;
  }

  public int stepInEpoch() {
    return stepInEpoch;
  }

  /** sgd's velocity, or null (shared; do not modify). */
  public double[] velocity() {
    return velocity;
  }

  /** Adam's first moment, or null (shared; do not modify). */
  public double[] m() {
    return m;
  }

  /** Adam's second moment, or null (shared; do not modify). */
  public double[] v() {
    return v;
  }

  /** The epoch under way: sum of objectives, sum of data losses, seconds. */
  public double[] sums() {
    return new double[] {objectiveSum, lossSum, seconds};
  }

  public long rows() {
    return rows;
  }

  /** The finished epochs. */
  public List<EpochRecord> epochs() {
    return List.copyOf(epochs);
  }
}
