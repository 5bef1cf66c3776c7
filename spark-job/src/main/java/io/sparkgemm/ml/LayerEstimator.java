package io.sparkgemm.ml;

import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.input.DataFrameInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.IterationRecord;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * What every estimator here shares: the columns, the training Params (checked when set, by
 * MLlib's validators, so errors name the Param), blocking the DataFrame into cached dense
 * blocks, the {@link TrainSpec} those Params make and the fitted model's Params and history.
 * The linear layer's and the network's estimators differ only in the model they train; the
 * classifier's and the regressor's in their {@link EstimatorHead}.
 *
 * @param <M> the fitted model
 */
public abstract class LayerEstimator<M extends LayerModel<M>> extends Estimator<M>
    implements DefaultParamsWritable, EstimatorHead {
  private static final long serialVersionUID = 1L;
  /** adam's stepSize when none is set, as train's. */
  static final double ADAM_STEP_SIZE = 0.001;

  private final String uid;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> predictionCol;
  private final IntParam maxIter;
  private final DoubleParam regParam;
  private final DoubleParam tol;
  private final Param<String> optimizer;
  private final DoubleParam stepSize;
  private final DoubleParam momentum;
  private final Param<String> backend;
  private final IntParam blockRows;
  private final Param<String> init;
  private final LongParam seed;

  /**
   * @param optimizers the optimizer values this estimator takes
   * @param inits the init values, the first being the default
   */
  protected LayerEstimator(String uid, List<String> optimizers, String optimizerDoc,
      List<String> inits, String initDoc) {
    this.uid = uid;
    featuresCol = new Param<>(this, "featuresCol", "features column (vector or array<double>)");
    labelCol = new Param<>(this, "labelCol", "label column");
    predictionCol = new Param<>(this, "predictionCol", "prediction column");
    maxIter = new IntParam(this, "maxIter", "maximum number of iterations (>= 0)",
        ParamValidators.gtEq(0));
    regParam = new DoubleParam(this, "regParam", "L2 strength: adds (regParam/2)·||W||²",
        ParamValidators.gtEq(0));
    tol = new DoubleParam(this, "tol", "convergence tolerance (>= 0)", ParamValidators.gtEq(0));
    optimizer = new Param<>(this, "optimizer", optimizerDoc,
        ParamValidators.inArray(optimizers));
    stepSize = new DoubleParam(this, "stepSize", "gd, sgd and adam: learning rate (> 0; "
        + "default 0.1, for adam " + ADAM_STEP_SIZE + ")", ParamValidators.gt(0));
    momentum = new DoubleParam(this, "momentum", "gd and sgd: momentum in [0, 1)",
        ParamValidators.inRange(0, 1, true, false));
    backend = new Param<>(this, "backend", "GEMM backend: auto, native, java or reference");
    blockRows = new IntParam(this, "blockRows", "rows per dense block, 0 for automatic",
        ParamValidators.gtEq(0));
    init = new Param<>(this, "init", initDoc, ParamValidators.inArray(inits));
    seed = new LongParam(this, "seed", "seed of the initial parameters");
    setDefault(featuresCol, "features");
    setDefault(labelCol, "label");
    setDefault(predictionCol, "prediction");
    setDefault(maxIter, 100);
    setDefault(regParam, 0.0);
    setDefault(tol, 1e-6);
    setDefault(optimizer, "lbfgs");
    setDefault(stepSize, 0.1);
    setDefault(momentum, 0.0);
    setDefault(backend, "auto");
    setDefault(blockRows, 0);
    setDefault(init, inits.get(0));
    setDefault(seed, 0L);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public IntParam maxIter() {
    return maxIter;
  }

  public DoubleParam regParam() {
    return regParam;
  }

  public DoubleParam tol() {
    return tol;
  }

  public Param<String> optimizer() {
    return optimizer;
  }

  public DoubleParam stepSize() {
    return stepSize;
  }

  public DoubleParam momentum() {
    return momentum;
  }

  public Param<String> backend() {
    return backend;
  }

  public IntParam blockRows() {
    return blockRows;
  }

  public Param<String> init() {
    return init;
  }

  public LongParam seed() {
    return seed;
  }

  @SuppressWarnings("unchecked")
  protected <T> T self() {
    return (T) this;
  }

  public <T extends LayerEstimator<M>> T setFeaturesCol(String value) {
    set(featuresCol, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setLabelCol(String value) {
    set(labelCol, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setPredictionCol(String value) {
    set(predictionCol, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setMaxIter(int value) {
    set(maxIter, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setRegParam(double value) {
    set(regParam, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setTol(double value) {
    set(tol, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setOptimizer(String value) {
    set(optimizer, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setStepSize(double value) {
    set(stepSize, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setMomentum(double value) {
    set(momentum, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setBackend(String value) {
    set(backend, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setBlockRows(int value) {
    set(blockRows, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setInit(String value) {
    set(init, value);
    return self();
  }

  public <T extends LayerEstimator<M>> T setSeed(long value) {
    set(seed, value);
    return self();
  }

  BackendOptions backendOptions() {
    return new BackendOptions($(backend), 1, null);
  }

  /** The DataFrame's features and labels as cached dense blocks (release them when done). */
  BlockedInput block(Dataset<?> dataset) {
    InputSpec spec = InputSpec.builder("DataFrame given to " + uid).featuresCol($(featuresCol))
        .labels(labelKind(), $(labelCol), null).blockRows((Integer) $(blockRows)).build();
    return DataFrameInput.load(dataset.sparkSession(), dataset.toDF(), spec);
  }

  /** The TrainSpec of the Params shared here; subclasses add their own before build(). */
  TrainSpec.Builder trainSpec() {
    Optimizer chosen = Optimizer.parse($(optimizer));
    // as train: adam's rate is 0.001 unless one is given
    double rate = !isSet(stepSize) && chosen == Optimizer.ADAM ? ADAM_STEP_SIZE
        : (Double) $(stepSize);
    return TrainSpec.builder(loss()).optimizer(chosen)
        .learningRate(rate).momentum((Double) $(momentum))
        .regParam((Double) $(regParam)).maxIter((Integer) $(maxIter)).tol((Double) $(tol))
        .backend(backendOptions());
  }

  /** {@code model} with this estimator's Params, as its parent, with the objective history. */
  M fitted(M model, Trainer.Result result) {
    copyValues(model, extractParamMap());
    model.setParent(this);
    model.setObjectiveHistory(
        result.history().stream().mapToDouble(IterationRecord::objective).toArray());
    return model;
  }

  @Override
  public LayerEstimator<M> copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return outputSchema(schema, true);
  }
}
