package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.train.ModelDir;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A softmax classifier over a network's logits y: rawPrediction = y, probability = softmax(y),
 * prediction = argmax(y) as a double class index, as MLlib's classifiers lay them out.
 */
public final class NetworkClassificationModel extends NetworkModel<NetworkClassificationModel>
    implements ModelHead.Classification {
  private static final long serialVersionUID = 1L;

  private final Columns columns = new Columns(this);

  public NetworkClassificationModel(String uid, Network network, double[] theta) {
    super(uid, network, theta);
  }

  /**
   * An untrained 1 -> 2 linear model. Spark Connect's server lists models with ServiceLoader,
   * which requires a public no-argument constructor (it never calls it).
   */
  public NetworkClassificationModel() {
    this(Identifiable$.MODULE$.randomUID("networkClassificationModel"), Network.linear(1, 2),
        new double[4]);
  }

  @Override
  public Columns classifierColumns() {
    return columns;
  }

  @Override
  public NetworkClassificationModel copy(ParamMap extra) {
    NetworkClassificationModel copy = new NetworkClassificationModel(uid(), network(), theta());
    return copyValues(copy, extra).setParent(parent());
  }

  public static MLReader<NetworkClassificationModel> read() {
    return new Reader<>(NetworkClassificationModel.class, NetworkClassificationModel::new);
  }

  public static NetworkClassificationModel load(String path) {
    return read().load(path);
  }

  /**
   * The model in a model folder written by {@code spark-gemm train --loss softmax-ce} (model.json
   * and the .npy files of every W and b), with a new uid and default Params.
   */
  public static NetworkClassificationModel fromModelDir(String path, Configuration conf) {
    ModelDir.Model model = readFolder(path, conf, Loss.SOFTMAX_CE, "a NetworkRegressionModel");
    return new NetworkClassificationModel(
        Identifiable$.MODULE$.randomUID("networkClassificationModel"), model.network(),
        model.theta());
  }
}
