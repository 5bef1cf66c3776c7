package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * A network classifier d -> hiddenLayers -> k with the softmax-ce loss: the MLlib Pipeline
 * stage of {@code spark-gemm train --loss softmax-ce --hidden ...}. Labels are class indices
 * 0..k−1 (k = the largest label + 1). With {@code activation = sigmoid}, one hidden layer and
 * regParam 0 it has MLlib's MultilayerPerceptronClassifier's objective (the mean cross-entropy)
 * and θ layout, so MLlib's initial weights are a valid θ.
 */
public final class NetworkClassifier extends NetworkEstimator<NetworkClassificationModel> {
  private static final long serialVersionUID = 1L;

  private final Param<String> probabilityCol;
  private final Param<String> rawPredictionCol;

  public NetworkClassifier() {
    this(Identifiable$.MODULE$.randomUID("networkClassifier"));
  }

  public NetworkClassifier(String uid) {
    super(uid);
    probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column");
    rawPredictionCol = new Param<>(this, "rawPredictionCol", "logits column");
    setDefault(probabilityCol, "probability");
    setDefault(rawPredictionCol, "rawPrediction");
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  public NetworkClassifier setProbabilityCol(String value) {
    set(probabilityCol, value);
    return this;
  }

  public NetworkClassifier setRawPredictionCol(String value) {
    set(rawPredictionCol, value);
    return this;
  }

  @Override
  protected Loss loss() {
    return Loss.SOFTMAX_CE;
  }

  @Override
  protected LabelKind labelKind() {
    return LabelKind.CLASSES;
  }

  @Override
  protected int outputs(Dataset<?> dataset, BlockedInput input) {
    return StageColumns.numClasses(input, $(labelCol()));
  }

  @Override
  protected NetworkClassificationModel createModel(String uid, Network network,
      double[] theta) {
    return new NetworkClassificationModel(uid, network, theta);
  }

  @Override
  protected StructType outputSchema(StructType schema, boolean withOutputs) {
    return StageColumns.checkClassifierInput(schema, $(featuresCol()), $(labelCol()),
        $(rawPredictionCol), $(probabilityCol), $(predictionCol()), withOutputs);
  }

  public static MLReader<NetworkClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkClassifier load(String path) {
    return read().load(path);
  }
}
