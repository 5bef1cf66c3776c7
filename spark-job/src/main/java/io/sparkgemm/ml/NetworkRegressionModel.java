package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.train.ModelDir;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/** A network regression: prediction = y, a double for k = 1, else a vector. */
public final class NetworkRegressionModel extends NetworkModel<NetworkRegressionModel>
    implements ModelHead.Regression {
  private static final long serialVersionUID = 1L;

  public NetworkRegressionModel(String uid, Network network, double[] theta) {
    super(uid, network, theta);
  }

  /**
   * An untrained 1 -> 1 linear model. Spark Connect's server lists models with ServiceLoader,
   * which requires a public no-argument constructor (it never calls it).
   */
  public NetworkRegressionModel() {
    this(Identifiable$.MODULE$.randomUID("networkRegressionModel"), Network.linear(1, 1),
        new double[2]);
  }

  @Override
  public NetworkRegressionModel copy(ParamMap extra) {
    NetworkRegressionModel copy = new NetworkRegressionModel(uid(), network(), theta());
    return copyValues(copy, extra).setParent(parent());
  }

  public static MLReader<NetworkRegressionModel> read() {
    return new Reader<>(NetworkRegressionModel.class, NetworkRegressionModel::new);
  }

  public static NetworkRegressionModel load(String path) {
    return read().load(path);
  }

  /**
   * The model in a model folder written by {@code spark-gemm train --loss mse} (model.json
   * and the .npy files of every W and b), with a new uid and default Params.
   */
  public static NetworkRegressionModel fromModelDir(String path, Configuration conf) {
    ModelDir.Model model = readFolder(path, conf, Loss.MSE, "a NetworkClassificationModel");
    return new NetworkRegressionModel(Identifiable$.MODULE$.randomUID("networkRegressionModel"),
        model.network(), model.theta());
  }
}
