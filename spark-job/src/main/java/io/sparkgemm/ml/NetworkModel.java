package io.sparkgemm.ml;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkKernels;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.train.ModelDir;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A fitted network d -> hidden layers -> k. {@link #transform} runs the network forward block
 * by block on the executors (θ unpacked and broadcast once; per block one GEMM per layer and the
 * activations) and appends the subclass's output columns. Saved as {@link LayerModel} says, the
 * network as a spark-gemm model folder under {@code model/} (model.json and one .npy per W and
 * b, what {@code spark-gemm forward --model} reads).
 */
public abstract class NetworkModel<M extends NetworkModel<M>> extends LayerModel<M> {
  private static final long serialVersionUID = 1L;

  /** The model folder inside a saved stage's folder. */
  static final String MODEL_DIR = "model";

  private final Network network;
  private final double[] theta;

  /** @param theta θ, layer by layer (W_l row-major, then b_l); copied */
  protected NetworkModel(String uid, Network network, double[] theta) {
    super(uid, network.inFeatures(), network.outFeatures());
    if (theta.length != network.numParameters()) {
      throw new IllegalArgumentException("θ has " + theta.length + " values but the network "
          + network.describe() + " has " + network.numParameters() + " parameters");
    }
    this.network = network;
    this.theta = theta.clone();
  }

  public Network network() {
    return network;
  }

  /** θ, layer by layer (W_l row-major, then b_l); a copy. */
  public double[] theta() {
    return theta.clone();
  }

  @Override
  protected BlockForward broadcastForward(JavaSparkContext jsc) {
    Broadcast<NetworkParams> params = jsc.broadcast(Theta.of(network, theta).unpack(
        DType.FLOAT64));
    return backend -> {
      NetworkKernels kernels = new NetworkKernels(backend);
      NetworkParams p = params.value();
      // x: n x d_0   y: n x d_L (the last layer's output, before any head)
      return x -> kernels.forward(p, x);
    };
  }

  @Override
  protected String describe() {
    return "the network is " + network.describe();
  }

  // ---- persistence ----

  /**
   * Reads a model folder written by {@code spark-gemm train} (or a saved stage's {@code model/})
   * for a model of {@code loss}; a folder that records another loss is refused, naming both.
   */
  static ModelDir.Model readFolder(String path, Configuration conf, Loss loss, String other) {
    ModelDir.Model model = ModelDir.read(path, conf);
    if (model.loss() != null && model.loss() != loss) {
      throw new IllegalArgumentException("Model folder " + path + " was trained with "
          + model.loss().label() + ", expected " + loss.label() + " (read it as " + other
          + ")");
    }
    return model;
  }

  /** The network as a model folder under {@code model/} (the loss recorded in model.json). */
  @Override
  protected void saveData(String path, SparkSession spark) {
    ModelDir.write(path + "/" + MODEL_DIR, new ModelDir.Model(network, theta, loss(),
        DType.FLOAT64), false, spark.sparkContext().hadoopConfiguration());
  }

  /** Creates a model of the saved class from its network and θ. */
  interface Factory<T> {
    T create(String uid, Network network, double[] theta);
  }

  /** Reads what {@link #saveData} wrote. */
  static final class Reader<T extends NetworkModel<T>> extends StageReader<T> {
    private final Factory<T> factory;

    Reader(Class<T> type, Factory<T> factory) {
      super(type);
      this.factory = factory;
    }

    @Override
    T create(String uid, String path) {
      ModelDir.Model saved = ModelDir.read(path + "/" + MODEL_DIR,
          sparkSession().sparkContext().hadoopConfiguration());
      return factory.create(uid, saved.network(), saved.theta());
    }
  }
}
