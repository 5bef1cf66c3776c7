package io.sparkgemm.ml;

import io.sparkgemm.local.net.Network;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A network regression d -> hiddenLayers -> k with the mse loss: the MLlib Pipeline stage of
 * {@code spark-gemm train --loss mse --hidden ...}. The label is a number (k = 1) or a vector /
 * array of k targets; the objective is ||net(X) − T||²/n + (regParam/2)·Σ||W_l||².
 */
public final class NetworkRegressor extends NetworkEstimator<NetworkRegressionModel>
    implements EstimatorHead.Regressor {
  private static final long serialVersionUID = 1L;

  public NetworkRegressor() {
    this(Identifiable$.MODULE$.randomUID("networkRegressor"));
  }

  public NetworkRegressor(String uid) {
    super(uid);
  }

  @Override
  protected NetworkRegressionModel createModel(String uid, Network network, double[] theta) {
    return new NetworkRegressionModel(uid, network, theta);
  }

  public static MLReader<NetworkRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkRegressor load(String path) {
    return read().load(path);
  }
}
