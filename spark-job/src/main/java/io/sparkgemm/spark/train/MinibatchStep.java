package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;
import io.sparkgemm.local.BadParameterException;

/**
 * One minibatch step: step {@code step} of an epoch of ⌈n / batchRows⌉ steps
 * ({@link Objective#stepsPerEpoch}), its rows a seeded slice of every partition's cached rows
 * ({@link io.sparkgemm.spark.pass.RowSlice}): the same seed and epoch give the same rows, and
 * the steps of an epoch take every row exactly once.
 *
 * @param seed the run's seed
 * @param epoch the epoch, from 0 (each epoch has its own order)
 * @param step the step within the epoch, from 0
 * @param batchRows about how many rows a step takes
 */
public record MinibatchStep(long seed, int epoch, int step, int batchRows) {
  public MinibatchStep {
    if (batchRows < 1) {
      throw new BadParameterException(param("batchRows"), " must be >= 1, got " + batchRows);
    }
    if (epoch < 0 || step < 0) {
      throw new IllegalArgumentException("epoch and step count from 0, got epoch " + epoch
          + ", step " + step);
    }
  }
}
