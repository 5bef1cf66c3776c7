package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link NetworkRegressor}, MLlib's way (a {@link RegressionModel}): prediction = y.
 * For k = 1 it is a double, as MLlib's regressors write it, and {@link #predict} gives it; for
 * k > 1 targets (beyond MLlib's RegressionModel, whose prediction is one double) the prediction
 * column is a vector of k, {@link #predictVector} gives it and {@link #predict} is refused.
 * {@link #transform} runs the network a block of rows at a time on the executors (one GEMM per
 * layer per block), not MLlib's per-row function.
 */
public final class NetworkRegressionModel
    extends RegressionModel<Vector, NetworkRegressionModel>
    implements ForwardParams<NetworkRegressionModel>, FittedNetwork, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ForwardParams.Holder forwardParams;
  /** null in an empty model (the no-argument constructor's, before a load). */
  private final TrainedNetwork trained;

  /** An empty model (no network yet), as Spark Connect makes before loading one. */
  public NetworkRegressionModel() {
    this(Identifiable$.MODULE$.randomUID("networkRegressionModel"));
  }

  /** An empty model (no network yet) called {@code uid}. */
  public NetworkRegressionModel(String uid) {
    this(StageUid.hold(uid), null);
  }

  NetworkRegressionModel(String uid, TrainedNetwork trained) {
    this(StageUid.hold(uid), trained);
  }

  private NetworkRegressionModel(StageUid held, TrainedNetwork trained) {
    this.uid = held.take();
    this.trained = trained;
    forwardParams = new ForwardParams.Holder(this);
  }

  @Override
  public String uid() {
    return uid != null ? uid : StageUid.pending();
  }

  @Override
  public ForwardParams.Holder forwardParams() {
    return forwardParams;
  }

  @Override
  public TrainedNetwork trainedOrNull() {
    return trained;
  }

  @Override
  public int numFeatures() {
    return trained().network().inFeatures();
  }

  /** k, the targets per row. */
  public int numOutputs() {
    return trained().network().outFeatures();
  }

  /** y for one row; k = 1 only (a model of k targets: {@link #predictVector}). */
  @Override
  public double predict(Vector features) {
    if (numOutputs() != 1) {
      throw new IllegalStateException("predict gives one double but model " + uid + " has k = "
          + numOutputs() + " targets; use predictVector");
    }
    return predictVector(features).apply(0);
  }

  /** y, the k targets, for one row (the kernels {@link #transform} runs on a block). */
  public Vector predictVector(Vector features) {
    return Vectors.dense(trained().forward(features.toArray(), backendOptions()));
  }

  /** MLlib's check, with an array-of-numbers features column accepted too. */
  @Override
  public StructType validateAndTransformSchema(StructType schema, boolean fitting,
      DataType featuresDataType) {
    return StageColumns.withArrayFeatures(schema, getFeaturesCol(),
        s -> super.validateAndTransformSchema(s, fitting, featuresDataType));
  }

  /** MLlib's output schema; the prediction a vector when k > 1. */
  @Override
  public StructType transformSchema(StructType schema) {
    StructType out = super.transformSchema(schema);
    return numOutputs() == 1 || getPredictionCol().isEmpty() ? out
        : StageColumns.vectorPrediction(out, getPredictionCol());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema());
    String prediction = getPredictionCol();
    return trained().transform(dataset, StageColumns.select(schema, prediction),
        getFeaturesCol(), getBlockRows(), backendOptions(),
        StageColumns.regression(!prediction.isEmpty()));
  }

  @Override
  public NetworkRegressionModel copy(ParamMap extra) {
    NetworkRegressionModel copy = new NetworkRegressionModel(uid, trained);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new StagePersistence.Writer(this, trained(), Loss.MSE);
  }

  public static MLReader<NetworkRegressionModel> read() {
    return new StagePersistence.Reader<>(NetworkRegressionModel.class,
        NetworkRegressionModel::new);
  }

  public static NetworkRegressionModel load(String path) {
    return read().load(path);
  }

  /**
   * The model in a model folder written by {@code spark-gemm train --loss mse} (model.json and
   * the .npy files of every W and b), with a new uid, default Params and no summary.
   */
  public static NetworkRegressionModel fromModelDir(String path, Configuration conf) {
    return new NetworkRegressionModel(
        Identifiable$.MODULE$.randomUID("networkRegressionModel"),
        TrainedNetwork.readFolder(path, conf, Loss.MSE, "a NetworkClassificationModel"));
  }
}
