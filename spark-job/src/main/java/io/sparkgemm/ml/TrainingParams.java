package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import scala.Function1;

/**
 * The training Params both estimators share, checked when set by MLlib's validators (so errors
 * name the Param): the network d -> hiddenLayers -> k (none: the linear model), the optimizer
 * and its settings, the initial θ. Defaults are {@code spark-gemm train}'s, read from
 * {@link TrainSpec#builder}. Each estimator makes its own {@link Holder} once its uid is known.
 *
 * @param <T> the estimator, which the setters return
 */
public interface TrainingParams<T extends TrainingParams<T>> extends ForwardParams<T> {
  /** The optimizer that solves the normal equations (the linear regressor only). */
  String NORMAL = "normal";
  /** adam's stepSize when none is set: train's, said once in {@link TrainSpec}. */
  double ADAM_STEP_SIZE = Double.parseDouble(TrainSpec.ADAM_LEARNING_RATE);
  /** Every init a stage takes: auto, he, xavier, zeros; orthogonal for the linear model. */
  List<String> INITS = List.of("auto", "zeros", "xavier", "he", "orthogonal");

  /** This estimator's Params. */
  Holder trainingParams();

  default IntArrayParam hiddenLayers() {
    return trainingParams().hiddenLayers;
  }

  default Param<String> activation() {
    return trainingParams().activation;
  }

  default IntParam maxIter() {
    return trainingParams().maxIter;
  }

  default DoubleParam regParam() {
    return trainingParams().regParam;
  }

  default DoubleParam tol() {
    return trainingParams().tol;
  }

  default Param<String> optimizer() {
    return trainingParams().optimizer;
  }

  default DoubleParam stepSize() {
    return trainingParams().stepSize;
  }

  default DoubleParam momentum() {
    return trainingParams().momentum;
  }

  default IntParam batchRows() {
    return trainingParams().batchRows;
  }

  default IntParam epochs() {
    return trainingParams().epochs;
  }

  default Param<String> init() {
    return trainingParams().init;
  }

  default LongParam seed() {
    return trainingParams().seed;
  }

  default int[] getHiddenLayers() {
    return ((int[]) $(hiddenLayers())).clone();
  }

  default String getActivation() {
    return $(activation());
  }

  default int getMaxIter() {
    return (Integer) $(maxIter());
  }

  default double getRegParam() {
    return (Double) $(regParam());
  }

  default double getTol() {
    return (Double) $(tol());
  }

  default String getOptimizer() {
    return $(optimizer());
  }

  /** The set value, else adam's 0.001 for adam and train's default for the others. */
  default double getStepSize() {
    return !isSet(stepSize()) && Optimizer.ADAM.label().equals(getOptimizer())
        ? ADAM_STEP_SIZE : (Double) $(stepSize());
  }

  default double getMomentum() {
    return (Double) $(momentum());
  }

  default int getBatchRows() {
    return (Integer) $(batchRows());
  }

  default int getEpochs() {
    return (Integer) $(epochs());
  }

  /** The set value, else as train without --init: zeros for the linear model, else auto. */
  default String getInit() {
    return isDefined(init()) ? $(init()) : getHiddenLayers().length == 0 ? "zeros" : "auto";
  }

  default long getSeed() {
    return (Long) $(seed());
  }

  default T setHiddenLayers(int... value) {
    set(hiddenLayers(), value.clone());
    return me();
  }

  default T setActivation(String value) {
    set(activation(), value);
    return me();
  }

  default T setMaxIter(int value) {
    set(maxIter(), value);
    return me();
  }

  default T setRegParam(double value) {
    set(regParam(), value);
    return me();
  }

  default T setTol(double value) {
    set(tol(), value);
    return me();
  }

  default T setOptimizer(String value) {
    set(optimizer(), value);
    return me();
  }

  default T setStepSize(double value) {
    set(stepSize(), value);
    return me();
  }

  default T setMomentum(double value) {
    set(momentum(), value);
    return me();
  }

  default T setBatchRows(int value) {
    set(batchRows(), value);
    return me();
  }

  default T setEpochs(int value) {
    set(epochs(), value);
    return me();
  }

  default T setInit(String value) {
    set(init(), value);
    return me();
  }

  default T setSeed(long value) {
    set(seed(), value);
    return me();
  }

  @SuppressWarnings("unchecked")
  private T me() {
    return (T) this;
  }

  /** The Params of one estimator, their defaults set on it. */
  final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final IntArrayParam hiddenLayers;
    private final Param<String> activation;
    private final IntParam maxIter;
    private final DoubleParam regParam;
    private final DoubleParam tol;
    private final Param<String> optimizer;
    private final DoubleParam stepSize;
    private final DoubleParam momentum;
    private final IntParam batchRows;
    private final IntParam epochs;
    private final Param<String> init;
    private final LongParam seed;

    /** @param optimizers the optimizer values this estimator takes */
    Holder(TrainingParams<?> owner, List<String> optimizers) {
      TrainSpec defaults = TrainSpec.builder(Loss.MSE).build();
      hiddenLayers = new IntArrayParam(owner, "hiddenLayers", "widths of the hidden layers, "
          + "input side first (none: the linear model)", positiveWidths());
      activation = new Param<>(owner, "activation", "after every hidden layer: "
          + String.join(", ", Activation.LABELS), ParamValidators.inArray(Activation.LABELS));
      maxIter = new IntParam(owner, "maxIter", "lbfgs and gd: maximum number of iterations "
          + "(>= 0)", ParamValidators.gtEq(0));
      regParam = new DoubleParam(owner, "regParam", "L2 strength: adds (regParam/2)·Σ||W_l||²",
          ParamValidators.gtEq(0));
      tol = new DoubleParam(owner, "tol", "convergence tolerance (>= 0)",
          ParamValidators.gtEq(0));
      optimizer = new Param<>(owner, "optimizer", "lbfgs or gd (full-batch), sgd or adam "
          + "(minibatch)" + (optimizers.contains(NORMAL) ? ", normal (closed form, no hidden "
          + "layers)" : ""), ParamValidators.inArray(optimizers));
      stepSize = new DoubleParam(owner, "stepSize", "gd, sgd and adam: learning rate (> 0; "
          + "default " + defaults.learningRate() + ", for adam " + ADAM_STEP_SIZE + ")",
          ParamValidators.gt(0));
      momentum = new DoubleParam(owner, "momentum", "gd and sgd: momentum in [0, 1)",
          ParamValidators.inRange(0, 1, true, false));
      batchRows = new IntParam(owner, "batchRows", "sgd and adam: rows per step, 0 for "
          + TrainSpec.DEFAULT_BATCH_ROWS, ParamValidators.gtEq(0));
      epochs = new IntParam(owner, "epochs", "sgd and adam: passes over the rows, 0 for "
          + TrainSpec.DEFAULT_EPOCHS, ParamValidators.gtEq(0));
      init = new Param<>(owner, "init", "initial W: auto (he before relu, xavier otherwise), "
          + "he, xavier, zeros, or orthogonal (linear model only); biases start at 0; unset: "
          + "zeros for the linear model, auto for a network", ParamValidators.inArray(INITS));
      seed = new LongParam(owner, "seed", "seed of the initial parameters and minibatches");
      owner.setDefault(hiddenLayers, new int[0]);
      owner.setDefault(activation, Activation.RELU.label());
      owner.setDefault(maxIter, defaults.maxIter());
      owner.setDefault(regParam, defaults.regParam());
      owner.setDefault(tol, defaults.tol());
      owner.setDefault(optimizer, defaults.optimizer().label());
      owner.setDefault(stepSize, defaults.learningRate());
      owner.setDefault(momentum, defaults.momentum());
      owner.setDefault(batchRows, 0);
      owner.setDefault(epochs, 0);
      owner.setDefault(seed, defaults.seed());
    }

    /** Every width >= 1; the error names the Param and shows the widths. */
    private static Function1<int[], Object> positiveWidths() {
      return (Function1<int[], Object> & Serializable) widths -> {
        for (int w : widths) {
          if (w < 1) {
            throw new IllegalArgumentException("hiddenLayers must all be >= 1, got "
                + Arrays.toString(widths));
          }
        }
        return true;
      };
    }
  }
}
