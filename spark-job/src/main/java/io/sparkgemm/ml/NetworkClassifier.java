package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.train.Optimizer;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A softmax classifier over a network d -> hiddenLayers -> k, MLlib's way (a
 * {@link ProbabilisticClassifier}): the Pipeline stage of {@code spark-gemm train --loss
 * softmax-ce [--hidden ...]}. Labels are class indices 0..k−1 (k = the largest label + 1, at
 * least 2); features a vector or an array of numbers. The objective is the mean cross-entropy +
 * (regParam/2)·Σ||W_l||², biases unpenalised. No hidden layers is multinomial logistic
 * regression: MLlib's LogisticRegression objective with {@code family=multinomial,
 * elasticNetParam=0, standardization=false}. With {@code activation = sigmoid}, one hidden
 * layer and regParam 0 it has MLlib's MultilayerPerceptronClassifier's objective and θ layout.
 */
public final class NetworkClassifier
    extends ProbabilisticClassifier<Vector, NetworkClassifier, NetworkClassificationModel>
    implements TrainingParams<NetworkClassifier>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ForwardParams.Holder forwardParams;
  private final TrainingParams.Holder trainingParams;

  public NetworkClassifier() {
    this(Identifiable$.MODULE$.randomUID("networkClassifier"));
  }

  public NetworkClassifier(String uid) {
    this(StageUid.hold(uid));
  }

  private NetworkClassifier(StageUid held) {
    this.uid = held.take();
    forwardParams = new ForwardParams.Holder(this);
    trainingParams = new TrainingParams.Holder(this, Optimizer.LABELS);
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
  public TrainingParams.Holder trainingParams() {
    return trainingParams;
  }

  @Override
  public NetworkClassificationModel train(Dataset<?> dataset) {
    String labelCol = getLabelCol();
    NetworkTraining.Fitted fitted = NetworkTraining.fit(this, dataset, getFeaturesCol(),
        labelCol, Loss.SOFTMAX_CE, LabelKind.CLASSES,
        input -> StageColumns.numClasses(input, labelCol));
    return new NetworkClassificationModel(uid(), new TrainedNetwork(fitted.network(),
        fitted.theta(), fitted.summary()));
  }

  /** MLlib's check, with an array-of-numbers features column accepted too. */
  @Override
  public StructType validateAndTransformSchema(StructType schema, boolean fitting,
      DataType featuresDataType) {
    return StageColumns.withArrayFeatures(schema, getFeaturesCol(),
        s -> super.validateAndTransformSchema(s, fitting, featuresDataType));
  }

  @Override
  public NetworkClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<NetworkClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkClassifier load(String path) {
    return read().load(path);
  }
}
