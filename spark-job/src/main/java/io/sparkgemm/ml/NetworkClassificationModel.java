package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.pass.RowSoftmax;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.Tuple3;

/**
 * A fitted {@link NetworkClassifier}, MLlib's way (a {@link ProbabilisticClassificationModel}):
 * rawPrediction = y (the network's logits), probability = softmax(y), prediction = argmax(y)
 * (or MLlib's rule with {@code thresholds}) as a double class index, with MLlib's column types
 * and metadata. {@link #transform} runs the network a block of rows at a time on the executors
 * (one GEMM per layer per block), not MLlib's per-row function; {@link #predictRaw} runs the
 * same kernels on one row.
 */
public final class NetworkClassificationModel
    extends ProbabilisticClassificationModel<Vector, NetworkClassificationModel>
    implements ForwardParams<NetworkClassificationModel>, FittedNetwork, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ForwardParams.Holder forwardParams;
  /** null in an empty model (the no-argument constructor's, before a load). */
  private final TrainedNetwork trained;

  /** An empty model (no network yet), as Spark Connect makes before loading one. */
  public NetworkClassificationModel() {
    this(Identifiable$.MODULE$.randomUID("networkClassificationModel"));
  }

  /** An empty model (no network yet) called {@code uid}. */
  public NetworkClassificationModel(String uid) {
    this(StageUid.hold(uid), null);
  }

  NetworkClassificationModel(String uid, TrainedNetwork trained) {
    this(StageUid.hold(uid), trained);
  }

  private NetworkClassificationModel(StageUid held, TrainedNetwork trained) {
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
  public int numClasses() {
    return trained().network().outFeatures();
  }

  @Override
  public int numFeatures() {
    return trained().network().inFeatures();
  }

  /** y, the logits, for one row (the kernels {@link #transform} runs on a block). */
  @Override
  public Vector predictRaw(Vector features) {
    return Vectors.dense(trained().forward(features.toArray(), backendOptions()));
  }

  /** softmax, in place. */
  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    if (rawPrediction instanceof DenseVector dense) {
      RowSoftmax.inPlace(dense.values());
      return dense;
    }
    double[] p = rawPrediction.toArray();
    RowSoftmax.inPlace(p);
    return Vectors.dense(p);
  }

  /** MLlib's check, with an array-of-numbers features column accepted too. */
  @Override
  public StructType validateAndTransformSchema(StructType schema, boolean fitting,
      DataType featuresDataType) {
    return StageColumns.withArrayFeatures(schema, getFeaturesCol(),
        s -> super.validateAndTransformSchema(s, fitting, featuresDataType));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema());
    double[] thresholds = isDefined(thresholds()) ? getThresholds() : null;
    if (thresholds != null && thresholds.length != numClasses()) {
      throw new IllegalArgumentException("thresholds has " + thresholds.length
          + " values but the model has numClasses = " + numClasses());
    }
    String raw = getRawPredictionCol();
    String probability = getProbabilityCol();
    String prediction = getPredictionCol();
    return trained().transform(dataset, StageColumns.select(schema, raw, probability,
        prediction), getFeaturesCol(), getBlockRows(), backendOptions(),
        StageColumns.classification(!raw.isEmpty(), !probability.isEmpty(),
            !prediction.isEmpty(), thresholds));
  }

  /**
   * As MLlib's (the model and its probability and prediction columns, for summaries). Java
   * must choose between the two Scala declarations it inherits; their erasure is one type.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public NetworkClassificationModel copy(ParamMap extra) {
    NetworkClassificationModel copy = new NetworkClassificationModel(uid, trained);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new StagePersistence.Writer(this, trained(), Loss.SOFTMAX_CE);
  }

  public static MLReader<NetworkClassificationModel> read() {
    return new StagePersistence.Reader<>(NetworkClassificationModel.class,
        NetworkClassificationModel::new);
  }

  public static NetworkClassificationModel load(String path) {
    return read().load(path);
  }

  /**
   * The model in a model folder written by {@code spark-gemm train --loss softmax-ce}
   * (model.json and the .npy files of every W and b), with a new uid, default Params and no
   * summary.
   */
  public static NetworkClassificationModel fromModelDir(String path, Configuration conf) {
    return new NetworkClassificationModel(
        Identifiable$.MODULE$.randomUID("networkClassificationModel"),
        TrainedNetwork.readFolder(path, conf, Loss.SOFTMAX_CE, "a NetworkRegressionModel"));
  }
}
