package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.NetworkInit;

/** The one place {@link TrainSpec}'s settings are checked, when its builder builds one. */
final class TrainChecks {
  private TrainChecks() {
  }

  /**
   * Refuses what {@code b} holds that train cannot run, naming the parameter (sgd's and adam's
   * rows per step and epochs as {@link TrainSpec} fills them in when none are given).
   */
  static void check(TrainSpec.Builder b) {
    if (!TrainSpec.LOSSES.contains(b.loss)) {
      throw new IllegalArgumentException("Unknown loss '"
          + (b.loss == null ? null : b.loss.label()) + "': train supports "
          + String.join(" or ", Loss.labels(TrainSpec.LOSSES)));
    }
    if (b.optimizer == null) {
      throw new IllegalArgumentException("No optimizer: expected "
          + String.join(" or ", Optimizer.LABELS));
    }
    double learningRate = TrainSpec.learningRate(b);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new BadParameterException(param("learningRate"), " must be > 0, got "
          + learningRate);
    }
    if (!(b.momentum >= 0 && b.momentum < 1)) {
      throw new BadParameterException(param("momentum"), " must be in [0, 1), got "
          + b.momentum);
    }
    if (b.nesterov && b.momentum == 0) {
      throw new BadParameterException(param("nesterov"), " needs ", param("momentum"), " > 0");
    }
    if (!(b.regParam >= 0) || Double.isInfinite(b.regParam)) {
      throw new BadParameterException(param("regParam"), " must be >= 0, got " + b.regParam);
    }
    if (b.maxIter < 0) {
      throw new BadParameterException(param("maxIter"), " must be >= 0, got " + b.maxIter);
    }
    if (!(b.tol >= 0)) {
      throw new BadParameterException(param("tol"), " must be >= 0, got " + b.tol);
    }
    if (b.lbfgsMemory < 1) {
      throw new BadParameterException(param("lbfgsMemory"), " must be >= 1, got "
          + b.lbfgsMemory);
    }
    if (b.optimizer.minibatch()) {
      checkMinibatch(b.optimizer, b.momentum, TrainSpec.batchRows(b), TrainSpec.epochs(b),
          b.beta1, b.beta2, b.epsilon, b.weightDecay);
      checkSchedule(TrainSpec.learningRate(b), b.lrSchedule, b.warmupSteps, b.lrStepEvery,
          b.lrGamma, b.lrMin);
    } else {
      String full = b.optimizer.label() + " trains full-batch (all rows every iteration)";
      if (b.batchRows != 0) {
        throw new BadParameterException(param("batchRows"), " is for the minibatch optimizers "
            + "sgd and adam; " + full);
      }
      if (b.epochs != 0) {
        throw new BadParameterException(param("epochs"), " is for the minibatch optimizers sgd "
            + "and adam; " + full + " and stops at ", param("maxIter"));
      }
      if (b.weightDecay != 0) {
        throw new BadParameterException(param("weightDecay"), " is for sgd and adam; " + full
            + ": use ", param("regParam"));
      }
    }
    for (Integer h : b.hiddenSizes) {
      if (h == null || h < 1) {
        throw new BadParameterException(param("hiddenSizes"), " must all be >= 1, got "
            + b.hiddenSizes);
      }
    }
    if (b.activation == null) {
      throw new IllegalArgumentException("No activation: expected one of "
          + String.join(", ", Activation.LABELS));
    }
    if (!NetworkInit.SCHEMES.contains(b.init)) {
      throw new IllegalArgumentException("Unknown init '" + b.init + "': expected one of "
          + String.join(", ", NetworkInit.SCHEMES));
    }
  }

  private static void checkMinibatch(Optimizer optimizer, double momentum, int batchRows,
      int epochs, double beta1, double beta2, double epsilon, double weightDecay) {
    if (batchRows < 1) {
      throw new BadParameterException(param("batchRows"), " must be >= 1, got " + batchRows);
    }
    if (epochs < 1) {
      throw new BadParameterException(param("epochs"), " must be >= 1, got " + epochs);
    }
    if (optimizer == Optimizer.ADAM && momentum != 0) {
      throw new BadParameterException(param("momentum"), " is for gd and sgd; adam's is ",
          param("beta1"));
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new BadParameterException(param("beta1"), " must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new BadParameterException(param("beta2"), " must be in [0, 1), got " + beta2);
    }
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new BadParameterException(param("epsilon"), " must be > 0, got " + epsilon);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new BadParameterException(param("weightDecay"), " must be >= 0, got " + weightDecay);
    }
  }

  private static void checkSchedule(double learningRate, LrSchedule schedule, int warmupSteps,
      int lrStepEvery, double lrGamma, double lrMin) {
    if (schedule == null) {
      throw new BadParameterException("No ", param("lrSchedule"), ": expected constant, step or "
          + "cosine");
    }
    if (warmupSteps < 0) {
      throw new BadParameterException(param("warmupSteps"), " must be >= 0, got " + warmupSteps);
    }
    if (schedule == LrSchedule.STEP && lrStepEvery < 1) {
      throw new BadParameterException(param("lrStepEvery"), " must be >= 1 for the step "
          + "schedule, got " + lrStepEvery);
    }
    if (!(lrGamma > 0 && lrGamma <= 1)) {
      throw new BadParameterException(param("lrGamma"), " must be in (0, 1], got " + lrGamma);
    }
    if (!(lrMin >= 0 && lrMin <= learningRate)) {
      throw new BadParameterException(param("lrMin"), " must be in [0, ", param("learningRate"),
          " = " + learningRate + "], got " + lrMin);
    }
  }
}
