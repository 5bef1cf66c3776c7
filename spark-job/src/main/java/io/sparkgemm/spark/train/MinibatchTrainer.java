package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.ParamText;
import java.util.Locale;

/**
 * Minibatch training (sgd, adam): epochs of {@link BatchObjective#stepsPerEpoch} steps, each one
 * pass over its minibatch and an {@link Updates update} of θ on the driver at the step's rate
 * ({@link LrSchedule}). Everything a step reads is in θ and the {@link MinibatchState}, so a run
 * resumed from a checkpoint of both takes the same steps as one that never stopped, bit for
 * bit. Reports every step and every epoch (the history gets one record per epoch). Stops with
 * a {@link TrainingDivergedException} at a step whose loss or gradient is not finite, whose
 * loss breaks the growth rule ({@link TrainingDivergedException#GROWTH}), or whose update
 * leaves θ not finite.
 */
final class MinibatchTrainer {
  private static final ParamText ADVICE = ParamText.of("Lower the learning rate (",
      param("learningRate"), "), add ", param("regParam"), " or ", param("weightDecay"),
      ", or scale the features.");

  private MinibatchTrainer() {
  }

  static Trainer.Outcome run(BatchObjective objective, TrainSpec spec, Trainer.Start start,
      Trainer.Listener listener) {
    double[] theta = start.theta().clone();
    MinibatchState state = start.minibatch() != null ? start.minibatch().copy()
        : MinibatchState.fresh(spec, theta.length);
    if (state.m == null && spec.optimizer() == Optimizer.ADAM
        || state.velocity == null && spec.optimizer() == Optimizer.SGD && spec.momentum() > 0) {
      // a checkpoint without Adam's moments or sgd's velocity (none is written so): start at 0
      MinibatchState zeros = MinibatchState.fresh(spec, theta.length);
      state.m = state.m == null ? zeros.m : state.m;
      state.v = state.v == null ? zeros.v : state.v;
      state.velocity = state.velocity == null ? zeros.velocity : state.velocity;
    }
    boolean[] mask = objective.weightMask();
    int batchRows = spec.batchRows();
    int perEpoch = objective.stepsPerEpoch(batchRows);
    long total = (long) perEpoch * spec.epochs();
    if (state.stepInEpoch > perEpoch || state.step != (long) state.epoch * perEpoch
        + state.stepInEpoch) {
      throw new BadParameterException(param("resumeDir"), ": the checkpoint is at step "
          + state.step + " (epoch " + (state.epoch + 1) + ", step " + state.stepInEpoch
          + " of it) but an epoch of ", param("batchRows"), " " + batchRows + " has " + perEpoch
          + " steps here: resume with the ", param("batchRows"), " and the input of the "
          + "checkpointed run");
    }
    // the objective of the first step this run takes: the scale the growth rule compares to
    double first = Double.NaN;
    double lastNorm = 0;
    double lastLr = 0;
    double lastUpdate = 0;
    while (state.epoch < spec.epochs()) {
      long t0 = System.nanoTime();
      int iteration = Math.toIntExact(state.step + 1);
      double lr = LrSchedule.at(spec, state.step, total);
      BatchObjective.Step e = objective.evaluateBatch(theta, spec.seed(), state.epoch,
          state.stepInEpoch, batchRows, iteration);
      double norm = Norms.norm(e.gradient());
      if (!Double.isFinite(e.value()) || !Double.isFinite(norm)) {
        throw diverged(iteration, state, e.value(), norm);
      }
      first = Double.isNaN(first) ? e.value() : first;
      if (TrainingDivergedException.grew(e.value(), first)) {
        throw grown(iteration, state, e.value(), first);
      }
      double update = Updates.apply(spec, theta, e.gradient(), lr, mask, state);
      requireFinite(theta, iteration, state);
      state.step++;
      state.stepInEpoch++;
      state.objectiveSum += e.value();
      state.lossSum += e.loss();
      state.rows += e.rows();
      state.seconds += (System.nanoTime() - t0) / 1e9;
      lastNorm = norm;
      lastLr = lr;
      lastUpdate = update;
      StepRecord step = new StepRecord(state.epoch + 1, state.step, e.value(), norm, lr, update,
          e.rows());
      EpochRecord finished = null;
      if (state.stepInEpoch == perEpoch) {
        finished = new EpochRecord(state.epoch + 1, state.step,
            state.objectiveSum / perEpoch, state.lossSum / perEpoch, norm, lr, state.rows,
            state.seconds);
        state.epochs.add(finished);
        state.epoch++;
        state.stepInEpoch = 0;
        state.objectiveSum = 0;
        state.lossSum = 0;
        state.rows = 0;
        state.seconds = 0;
      }
      // an epoch's end is in the history before onStep, so a checkpoint there holds it
      if (finished != null) {
        listener.onIteration(new IterationRecord(Math.toIntExact(state.step),
            finished.objective(), finished.loss(), lastNorm, lastUpdate, finished.seconds(),
            perEpoch), theta, state.velocity);
      }
      listener.onStep(step, theta, state);
      if (finished != null) {
        listener.onEpoch(finished, theta, state);
      }
    }
    return new Trainer.Outcome(theta, StopReason.EPOCHS);
  }

  private static TrainingDivergedException grown(int iteration, MinibatchState state,
      double value, double first) {
    return new TrainingDivergedException(iteration, ParamText.of(String.format(Locale.ROOT,
        "Training diverged at step %d (epoch %d): the loss %.4g exceeds 1e6 × max(1, the "
            + "first step's %.4g). ", iteration, state.epoch + 1, value, first), ADVICE));
  }

  /** An update that overflows θ ends training where it happened. */
  private static void requireFinite(double[] theta, int iteration, MinibatchState state) {
    for (int i = 0; i < theta.length; i++) {
      if (!Double.isFinite(theta[i])) {
        throw new TrainingDivergedException(iteration, ParamText.of(String.format(Locale.ROOT,
            "Training diverged at step %d (epoch %d): the update made the parameters not "
                + "finite (θ[%d] = %s). ", iteration, state.epoch + 1, i, theta[i]), ADVICE));
      }
    }
  }

  private static TrainingDivergedException diverged(int iteration, MinibatchState state,
      double value, double norm) {
    return new TrainingDivergedException(iteration, ParamText.of(String.format(Locale.ROOT,
        "Training diverged at step %d (epoch %d): the %s is not finite (loss = %s, "
            + "||grad|| = %s). ", iteration, state.epoch + 1,
        Double.isFinite(value) ? "gradient" : "loss", value, norm), ADVICE));
  }
}
