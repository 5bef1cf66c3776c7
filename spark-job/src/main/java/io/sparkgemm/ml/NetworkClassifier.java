package io.sparkgemm.ml;

import io.sparkgemm.local.net.Network;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A network classifier d -> hiddenLayers -> k with the softmax-ce loss: the MLlib Pipeline
 * stage of {@code spark-gemm train --loss softmax-ce --hidden ...}. Labels are class indices
 * 0..k−1 (k = the largest label + 1). With {@code activation = sigmoid}, one hidden layer and
 * regParam 0 it has MLlib's MultilayerPerceptronClassifier's objective (the mean cross-entropy)
 * and θ layout, so MLlib's initial weights are a valid θ.
 */
public final class NetworkClassifier extends NetworkEstimator<NetworkClassificationModel>
    implements EstimatorHead.Classifier<NetworkClassifier> {
  private static final long serialVersionUID = 1L;

  private final Columns columns = new Columns(this);

  public NetworkClassifier() {
    this(Identifiable$.MODULE$.randomUID("networkClassifier"));
  }

  public NetworkClassifier(String uid) {
    super(uid);
  }

  @Override
  public Columns classifierColumns() {
    return columns;
  }

  @Override
  protected NetworkClassificationModel createModel(String uid, Network network,
      double[] theta) {
    return new NetworkClassificationModel(uid, network, theta);
  }

  public static MLReader<NetworkClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkClassifier load(String path) {
    return read().load(path);
  }
}
