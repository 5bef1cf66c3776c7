package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Init;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.DataFrameInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What the two estimators share: the training Params and {@link #fit}, which blockifies and
 * caches the DataFrame once and runs the same full-batch training as {@code spark-gemm train}
 * (objective: loss + (regParam/2)·||W||², intercept unpenalised; see the README for how this
 * maps onto MLlib's own estimators).
 */
public abstract class LinearLayerEstimator<M extends LinearLayerModel<M>> extends Estimator<M>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

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

  protected LinearLayerEstimator(String uid) {
    this.uid = uid;
    featuresCol = new Param<>(this, "featuresCol", "features column (vector or array<double>)");
    labelCol = new Param<>(this, "labelCol", "label column");
    predictionCol = new Param<>(this, "predictionCol", "prediction column");
    maxIter = new IntParam(this, "maxIter", "maximum number of iterations (>= 0)",
        ParamValidators.gtEq(0));
    regParam = new DoubleParam(this, "regParam", "L2 strength: adds (regParam/2)·||W||²",
        ParamValidators.gtEq(0));
    tol = new DoubleParam(this, "tol", "convergence tolerance (>= 0)", ParamValidators.gtEq(0));
    List<String> optimizers = new ArrayList<>(Optimizer.LABELS);
    if (this instanceof LinearLayerRegressor) {
      optimizers.add(LinearLayerRegressor.NORMAL);
    }
    optimizer = new Param<>(this, "optimizer", "lbfgs or gd"
        + (this instanceof LinearLayerRegressor ? " (or normal: closed form)" : ""),
        ParamValidators.inArray(optimizers));
    stepSize = new DoubleParam(this, "stepSize", "gd: learning rate (> 0)",
        ParamValidators.gt(0));
    momentum = new DoubleParam(this, "momentum", "gd: momentum in [0, 1)",
        ParamValidators.inRange(0, 1, true, false));
    backend = new Param<>(this, "backend", "GEMM backend: auto, native, java or reference");
    blockRows = new IntParam(this, "blockRows", "rows per dense block, 0 for automatic",
        ParamValidators.gtEq(0));
    init = new Param<>(this, "init", "initial W: zeros, xavier, he or orthogonal",
        ParamValidators.inArray(Arrays.stream(Init.values()).map(Init::label).toList()));
    seed = new LongParam(this, "seed", "seed of the initial W");
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
    setDefault(init, "zeros");
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
  private <T> T self() {
    return (T) this;
  }

  public <T extends LinearLayerEstimator<M>> T setFeaturesCol(String value) {
    set(featuresCol, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setLabelCol(String value) {
    set(labelCol, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setPredictionCol(String value) {
    set(predictionCol, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setMaxIter(int value) {
    set(maxIter, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setRegParam(double value) {
    set(regParam, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setTol(double value) {
    set(tol, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setOptimizer(String value) {
    set(optimizer, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setStepSize(double value) {
    set(stepSize, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setMomentum(double value) {
    set(momentum, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setBackend(String value) {
    set(backend, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setBlockRows(int value) {
    set(blockRows, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setInit(String value) {
    set(init, value);
    return self();
  }

  public <T extends LinearLayerEstimator<M>> T setSeed(long value) {
    set(seed, value);
    return self();
  }

  /** mse or softmax-ce. */
  protected abstract Loss loss();

  protected abstract LabelKind labelKind();

  /** k, the number of outputs, once the input is blocked. */
  protected abstract int outputs(Dataset<?> dataset, BlockedInput input);

  /** The fitted model (Params are copied by {@link #fit}). */
  protected abstract M createModel(String uid, DenseBlock w, double[] b);

  /** The regressor's closed-form path; null when not applicable. */
  protected Trainer.Result solveInstead(SparkSession spark, BlockedInput input, int k) {
    return null;
  }

  BackendOptions backendOptions() {
    return new BackendOptions($(backend), 1, null);
  }

  @Override
  public M fit(Dataset<?> dataset) {
    outputSchema(dataset.schema(), false);
    SparkSession spark = dataset.sparkSession();
    InputSpec spec = InputSpec.builder("DataFrame given to " + uid).featuresCol($(featuresCol))
        .labels(labelKind(), $(labelCol), null).blockRows((Integer) $(blockRows)).build();
    BlockedInput input = DataFrameInput.load(spark, dataset.toDF(), spec);
    try {
      int d = input.numFeatures();
      int k = outputs(dataset, input);
      Trainer.Result result = solveInstead(spark, input, k);
      if (result == null) {
        TrainSpec train = TrainSpec.builder(loss()).optimizer(Optimizer.parse($(optimizer)))
            .learningRate((Double) $(stepSize)).momentum((Double) $(momentum))
            .regParam((Double) $(regParam)).maxIter((Integer) $(maxIter)).tol((Double) $(tol))
            .backend(backendOptions()).build();
        DenseBlock w0 = Init.parse($(init)).create(d, k, (Long) $(seed));
        Objective objective = new Objective(spark, input, k, train);
        result = Trainer.train(objective, train, Trainer.Start.fresh(
            Objective.pack(w0, new double[k])), (record, theta, velocity) -> { });
      }
      double[] theta = result.theta();
      double[] w = new double[d * k];
      double[] b = new double[k];
      System.arraycopy(theta, 0, w, 0, d * k);
      System.arraycopy(theta, d * k, b, 0, k);
      M model = createModel(uid, DenseBlock.ofDoubles(d, k, w), b);
      copyValues(model, extractParamMap());
      model.setParent(this);
      List<Double> history = new ArrayList<>();
      result.history().forEach(r -> history.add(r.objective()));
      model.setObjectiveHistory(history.stream().mapToDouble(Double::doubleValue).toArray());
      return model;
    } finally {
      input.release();
    }
  }

  @Override
  public LinearLayerEstimator<M> copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return outputSchema(schema, true);
  }

  /** Checks the input columns; with {@code withOutputs}, adds the model's output columns. */
  protected abstract StructType outputSchema(StructType schema, boolean withOutputs);
}
