package io.sparkgemm.ml;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkKernels;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.ModelDir;
import java.io.Serializable;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted network d -> hidden layers -> k, θ and its training summary: what both models hold
 * and do. {@link #transform} runs the network forward a block of rows at a time on the
 * executors (θ unpacked and broadcast once; per block one GEMM per layer and the activations),
 * not row by row; {@link #forward} runs the same kernels on one row. Saved as a spark-gemm model
 * folder under {@code model/} (model.json and one .npy per W and b, what
 * {@code spark-gemm forward --model} reads) and the summary under {@code summary/}. Public only
 * because the models return it from {@link FittedNetwork}; nothing in it is for outside use.
 */
public final class TrainedNetwork implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The model folder inside a saved stage's folder. */
  static final String MODEL_DIR = "model";

  private final Network network;
  private final double[] theta;
  private final NetworkTrainingSummary summary;
  /** θ unpacked and the kernels for {@link #forward}, made on first use (not serialized). */
  private transient NetworkParams unpacked;
  private transient NetworkKernels kernels;
  private transient BackendOptions kernelsFor;

  /**
   * @param theta θ, layer by layer (W_l row-major, then b_l); copied
   * @param summary null when not trained here (a folder read with fromModelDir)
   */
  TrainedNetwork(Network network, double[] theta, NetworkTrainingSummary summary) {
    if (theta.length != network.numParameters()) {
      throw new IllegalArgumentException("θ has " + theta.length + " values but the network "
          + network.describe() + " has " + network.numParameters() + " parameters");
    }
    this.network = network;
    this.theta = theta.clone();
    this.summary = summary;
  }

  Network network() {
    return network;
  }

  double[] theta() {
    return theta.clone();
  }

  NetworkTrainingSummary summary() {
    return summary;
  }

  /** W_l (d_l x d_{l+1}) for every layer, input side first. */
  Matrix[] weights() {
    Theta t = Theta.of(network, theta);
    Matrix[] w = new Matrix[network.numLayers()];
    for (int l = 0; l < w.length; l++) {
      DenseBlock block = t.weight(l);
      // θ holds W_l row-major: a transposed (row-major) DenseMatrix takes it as it is
      w[l] = new DenseMatrix(block.numRows(), block.numCols(), block.doubles(), true);
    }
    return w;
  }

  /** b_l (length d_{l+1}) for every layer, input side first. */
  Vector[] biases() {
    Theta t = Theta.of(network, theta);
    Vector[] b = new Vector[network.numLayers()];
    for (int l = 0; l < b.length; l++) {
      b[l] = Vectors.dense(t.bias(l));
    }
    return b;
  }

  /** Turns one row's y (length k) into the output columns, in schema order. */
  interface Outputs extends Serializable {
    Object[] apply(double[] y);
  }

  /**
   * The forward pass as it travels to the executors: {@link #open} runs once per partition
   * (reading the broadcast θ) and returns the function from a block X (n x d) to Y (n x k).
   */
  interface BlockForward extends Serializable {
    UnaryOperator<DenseBlock> open(GemmBackend backend);
  }

  private static BlockForward forward(Broadcast<NetworkParams> params) {
    return backend -> {
      NetworkKernels kernels = new NetworkKernels(backend);
      NetworkParams p = params.value();
      // x: n x d_0   y: n x d_L (the last layer's output, before any head)
      return x -> kernels.forward(p, x);
    };
  }

  /** y for one row, by the kernels {@link #transform} runs on a block. */
  double[] forward(double[] features, BackendOptions backend) {
    checkWidth(features.length);
    NetworkKernels k;
    NetworkParams p;
    // predict is called row after row: unpack θ and pick the backend once, not per row
    synchronized (this) {
      if (unpacked == null) {
        unpacked = Theta.of(network, theta).unpack(DType.FLOAT64);
      }
      if (kernels == null || !backend.equals(kernelsFor)) {
        kernels = new NetworkKernels(Backends.select(backend));
        kernelsFor = backend;
      }
      k = kernels;
      p = unpacked;
    }
    // x: 1 x d_0   y: 1 x d_L
    DenseBlock y = k.forward(p, DenseBlock.ofDoubles(1, features.length, features.clone()));
    return y.toDType(DType.FLOAT64).doubles();
  }

  void checkWidth(int features) {
    if (features != network.inFeatures()) {
      throw new IllegalArgumentException("A row has " + features + " features but " + describe()
          + " (d = " + network.inFeatures() + ")");
    }
  }

  String describe() {
    return "the network is " + network.describe();
  }

  /**
   * {@code dataset} with the {@code appended} columns that {@code outputs} computes from each
   * row's y.
   *
   * @param blockRows rows per block; 0 for InputSpec's automatic rule
   */
  Dataset<Row> transform(Dataset<?> dataset, StructType appended, String featuresCol,
      int blockRows, BackendOptions backend, Outputs outputs) {
    StructType out = dataset.schema();
    for (StructField field : appended.fields()) {
      out = out.add(field);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(
        dataset.sparkSession().sparkContext());
    BlockForward forward = forward(jsc.broadcast(Theta.of(network, theta)
        .unpack(DType.FLOAT64)));
    int featuresIndex = dataset.schema().fieldIndex(featuresCol);
    int d = network.inFeatures();
    int rows = blockRows > 0 ? blockRows : InputSpec.defaultBlockRows(d, DType.FLOAT64);
    String shape = describe();
    MapPartitionsFunction<Row, Row> map = in -> new ForwardRows(in, featuresIndex, rows, d,
        shape, forward, backend, outputs);
    Dataset<Row> rowsOut = dataset.toDF().mapPartitions(map, Encoders.row(out));
    // the row encoder drops column metadata (the evaluators read the classes from it)
    Column[] columns = new Column[out.size()];
    for (int i = 0; i < columns.length; i++) {
      StructField field = out.fields()[i];
      columns[i] = rowsOut.col("`" + field.name().replace("`", "``") + "`")
          .as(field.name(), field.metadata());
    }
    return rowsOut.select(columns);
  }

  // ---- persistence ----

  /** The network as a model folder under {@code path/model} (model.json records the loss). */
  void save(String path, SparkSession spark, Loss loss) {
    ModelDir.write(path + "/" + MODEL_DIR, new ModelDir.Model(Theta.of(network, theta), loss,
        DType.FLOAT64), false, spark.sparkContext().hadoopConfiguration());
    if (summary != null) {
      summary.save(path, spark);
    }
  }

  /** What {@link #save} wrote under {@code path}. */
  static TrainedNetwork load(String path, SparkSession spark) {
    ModelDir.Model saved = ModelDir.read(path + "/" + MODEL_DIR,
        spark.sparkContext().hadoopConfiguration());
    return new TrainedNetwork(saved.network(), saved.theta().values(),
        NetworkTrainingSummary.load(path, spark));
  }

  /**
   * A model folder written by {@code spark-gemm train} for a model of {@code loss}; a folder
   * that records another loss is refused, naming both.
   */
  static TrainedNetwork readFolder(String path, Configuration conf, Loss loss, String other) {
    ModelDir.Model model = ModelDir.read(path, conf);
    if (model.loss() != null && model.loss() != loss) {
      throw new IllegalArgumentException("Model folder " + path + " was trained with "
          + model.loss().label() + ", expected " + loss.label() + " (read it as " + other
          + ")");
    }
    return new TrainedNetwork(model.network(), model.theta().values(), null);
  }
}
