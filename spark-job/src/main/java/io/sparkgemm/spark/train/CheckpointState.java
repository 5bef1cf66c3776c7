package io.sparkgemm.spark.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's {@code state.json} as written and read ({@link JsonFiles}): the iteration
 * (the steps taken, for sgd and adam), the optimizer, the run it belongs to (absent in
 * checkpoints written before it was recorded), the history, and for sgd and adam the
 * minibatch state. θ and the optimizer's vectors are .npy files beside it, so the doubles here
 * are the history's and the running sums, which Jackson writes in the shortest form that reads
 * back to the same bits. Checks what one file can tell; the files' shapes are
 * {@link Checkpoints}'s.
 */
record CheckpointState(Integer iteration, String optimizer,
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSetter(nulls = Nulls.SET, contentNulls = Nulls.SET) Map<String, Object> run,
    List<History> history,
    @JsonInclude(JsonInclude.Include.NON_NULL) @JsonSetter(nulls = Nulls.SET)
    Minibatch minibatch) {

  CheckpointState {
    whole("iteration", iteration);
    if (!Optimizer.LABELS.contains(optimizer)) {
      throw new IllegalArgumentException("optimizer is the string \"" + optimizer
          + "\", expected one of " + String.join(", ", Optimizer.LABELS));
    }
    Optimizer o = Optimizer.parse(optimizer);
    if (!o.minibatch()) {
      if (history.isEmpty()) {
        throw new IllegalArgumentException("history is [], expected a list of iteration "
            + "records");
      }
      int last = history.get(history.size() - 1).iteration();
      if (last != iteration) {
        throw new IllegalArgumentException("the history ends at iteration " + last
            + " but the checkpoint is of iteration " + iteration);
      }
    } else if (minibatch == null) {
      throw new IllegalArgumentException("minibatch is missing, expected the state of "
          + optimizer + " (epoch, step, ...)");
    } else if (minibatch.step() != iteration.longValue()) {
      throw new IllegalArgumentException("minibatch.step is " + minibatch.step()
          + " but the checkpoint is of step " + iteration);
    } else if (minibatch.epochs().size() != minibatch.epoch()) {
      throw new IllegalArgumentException("minibatch.epochs has " + minibatch.epochs().size()
          + " records but minibatch.epoch is " + minibatch.epoch());
    }
  }

  /** One line of the history ({@link IterationRecord}). */
  record History(Integer iteration, Double objective, Double loss, Double gradientNorm,
      Double step, Double seconds, Integer passes) {
    History {
      whole("iteration", iteration);
    }

    static History of(IterationRecord r) {
      return new History(r.iteration(), r.objective(), r.loss(), r.gradientNorm(), r.step(),
          r.seconds(), r.passes());
    }

    IterationRecord toRecord() {
      return new IterationRecord(iteration, objective, loss, gradientNorm, step, seconds,
          passes);
    }
  }

  /** A finished epoch ({@link EpochRecord}); rowsPerSecond is written for readers only. */
  record Epoch(Integer epoch, Long step, Double objective, Double loss, Double gradientNorm,
      Double learningRate, Long rows, Double seconds) {
    static Epoch of(EpochRecord e) {
      return new Epoch(e.epoch(), e.step(), e.objective(), e.loss(), e.gradientNorm(),
          e.learningRate(), e.rows(), e.seconds());
    }

    EpochRecord toRecord() {
      return new EpochRecord(epoch, step, objective, loss, gradientNorm, learningRate, rows,
          seconds);
    }

    @JsonProperty("rowsPerSecond")
    double rowsPerSecond() {
      return toRecord().rowsPerSecond();
    }
  }

  /**
   * sgd's and adam's state ({@link MinibatchState}, its vectors aside) and the run's batchRows
   * and seed.
   */
  record Minibatch(Long step, Integer epoch, Integer stepInEpoch, Integer batchRows, Long seed,
      Double objectiveSum, Double lossSum, Double seconds, Long rows, List<Epoch> epochs) {
    Minibatch {
      whole("step", step);
      whole("epoch", epoch);
      whole("stepInEpoch", stepInEpoch);
      whole("batchRows", batchRows);
      whole("rows", rows);
    }

    static Minibatch of(MinibatchState s, TrainSpec spec) {
      double[] sums = s.sums();
      return new Minibatch(s.step(), s.epoch(), s.stepInEpoch(),
          spec == null ? 0 : spec.batchRows(), spec == null ? 0 : spec.seed(), sums[0], sums[1],
          sums[2], s.rows(), s.epochs().stream().map(Epoch::of).toList());
    }

    /** The state with its vectors (velocity, Adam's m and v, each null where absent). */
    MinibatchState toState(double[] velocity, double[] m, double[] v) {
      return MinibatchState.of(step, epoch, stepInEpoch, velocity, m, v,
          new double[] {objectiveSum, lossSum, seconds}, rows,
          epochs.stream().map(Epoch::toRecord).toList());
    }
  }

  /** The state of a checkpoint; {@code minibatch}, {@code spec} and {@code run} may be null. */
  static CheckpointState of(int iteration, Optimizer optimizer, MinibatchState minibatch,
      TrainSpec spec, List<IterationRecord> history, RunIdentity run) {
    return new CheckpointState(iteration, optimizer.label(), run == null ? null : run.toMap(),
        history.stream().map(History::of).toList(),
        minibatch == null ? null : Minibatch.of(minibatch, spec));
  }

  /** The optimizer (checked by the constructor). */
  Optimizer optimizerValue() {
    return Optimizer.parse(optimizer);
  }

  List<IterationRecord> records() {
    return history.stream().map(History::toRecord).toList();
  }

  /** A whole number >= 0, or the field's damage. */
  private static void whole(String field, Number value) {
    if (value.longValue() < 0) {
      throw new IllegalArgumentException(field + " is " + value + ", expected a whole number "
          + ">= 0");
    }
  }
}
