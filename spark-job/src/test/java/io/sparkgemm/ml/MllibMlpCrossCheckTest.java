package io.sparkgemm.ml;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.DataFrameInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.pass.NaiveNetwork;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * spark-gemm's network against MLlib's MultilayerPerceptronClassifier: the same architecture
 * (20-8-4, sigmoid hidden layer, softmax cross-entropy), the same initial weights (MLlib's own
 * random ones, in its layout, which is θ's), the same rows.
 *
 * <p>MLlib's objective is the mean over its stacked blocks of each block's mean cross-entropy
 * (LBFGS.CostFun divides the summed block losses by the number of blocks, and each block's loss
 * and gradient are divided by its rows); it is the mean over rows only when every block has the
 * same rows. Here 10,000 rows in 2 partitions of 5,000 and blocks of 100 make it so.
 */
class MllibMlpCrossCheckTest {
  static final int N = 10000;
  static final int D = 20;
  static final int H = 8;
  static final int K = 4;
  static final int[] LAYERS = {D, H, K};
  static final int BLOCK = 100;

  static final Network NETWORK = Network.of(D, new int[] {H}, Activation.SIGMOID, K);

  private static SparkSession spark;
  private static double[][] x;
  private static int[] labels;
  private static double[] truth;
  private static Dataset<Row> data;

  @BeforeAll
  static void data() {
    spark = SparkSession.builder().master("local[2]").appName("MllibMlpCrossCheckTest")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    Random random = new Random(16);
    // a 20-8-4 sigmoid teacher; labels drawn from its softmax, so no θ fits them exactly and
    // the optimum is finite
    NaiveNetwork teacher = new NaiveNetwork(LAYERS, "sigmoid");
    truth = new double[teacher.numParameters()];
    int top = D * H + H;
    for (int i = 0; i < truth.length; i++) {
      // hidden pre-activations of about 2 spread (not saturated)
      truth[i] = random.nextGaussian() * (i < top ? 0.5 : 3);
    }
    for (int j = 0; j < K; j++) {
      // W_1's columns centred and b_1 = 0: the classes come out about balanced
      double mean = 0;
      for (int i = 0; i < H; i++) {
        mean += truth[top + i * K + j] / H;
      }
      for (int i = 0; i < H; i++) {
        truth[top + i * K + j] -= mean;
      }
      truth[top + H * K + j] = 0;
    }
    x = new double[N][D];
    labels = new int[N];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < D; c++) {
        x[r][c] = random.nextGaussian();
      }
      double[] y = teacher.output(truth, x[r]);
      double max = Double.NEGATIVE_INFINITY;
      for (double v : y) {
        max = Math.max(max, v);
      }
      double[] p = new double[K];
      double sum = 0;
      for (int j = 0; j < K; j++) {
        p[j] = Math.exp(y[j] - max);
        sum += p[j];
      }
      double u = random.nextDouble() * sum;
      int label = 0;
      while (label < K - 1 && u >= p[label]) {
        u -= p[label];
        label++;
      }
      labels[r] = label;
      rows.add(RowFactory.create(Vectors.dense(x[r]), (double) label));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), false)
        .add("label", DataTypes.DoubleType, false);
    // a local relation in 2 partitions of 5,000 rows: MLlib stacks them into 100 blocks of 100
    data = spark.createDataFrame(rows, schema);
    assertThat(data.rdd().getNumPartitions()).isEqualTo(2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static BlockedInput blocks() {
    InputSpec spec = InputSpec.builder("cross-check rows").featuresCol("features")
        .labels(LabelKind.CLASSES, "label", null).blockRows(256).build();
    return DataFrameInput.load(spark, data, spec);
  }

  private static TrainSpec lbfgs(int maxIter, double tol) {
    return TrainSpec.builder(Loss.SOFTMAX_CE).maxIter(maxIter).tol(tol).build();
  }

  private static double relative(double a, double b) {
    return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  }

  /** ||a − b|| / ||b||. */
  private static double relative(double[] a, double[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) * (a[i] - b[i]);
      norm += b[i] * b[i];
    }
    return Math.sqrt(diff / norm);
  }

  @Test
  void mllibsObjectiveIsTheMeanCrossEntropyInThetasLayout() {
    double[] theta = MllibMlp.initialWeights(LAYERS, 11L);
    assertThat(theta).hasSize(D * H + H + H * K + K);
    MllibMlp.Evaluation mllib = MllibMlp.evaluate(data, "features", "label", LAYERS, BLOCK,
        theta);
    NaiveNetwork.Result naive = new NaiveNetwork(LAYERS, "sigmoid").gradient(theta, x, null,
        labels, IntStream.range(0, x.length).toArray());
    assertThat(relative(mllib.value(), naive.loss())).isLessThan(1e-12);
    assertThat(relative(mllib.gradient(), naive.gradient())).isLessThan(1e-12);
  }

  @Test
  void objectiveAndGradientEqualMllibsAtItsInitialWeights() {
    double[] theta = MllibMlp.initialWeights(LAYERS, 11L);
    MllibMlp.Evaluation mllib = MllibMlp.evaluate(data, "features", "label", LAYERS, BLOCK,
        theta);
    BlockedInput input = blocks();
    try {
      Objective objective = new Objective(spark, input, NETWORK, lbfgs(0, 0));
      assertThat(objective.numParameters()).isEqualTo(theta.length);
      Objective.Evaluation ours = objective.evaluate(theta, 0);
      assertThat(relative(ours.value(), mllib.value())).isLessThan(1e-9);
      assertThat(relative(ours.gradient(), mllib.gradient())).isLessThan(1e-9);
    } finally {
      input.release();
    }
  }

  /**
   * Both L-BFGS runs (Breeze's, 10 corrections, as MLlib calls it; spark-gemm's is Breeze's with
   * a cheaper first step) start at the same θ, given to MLlib as its initialWeights: the
   * generating network plus noise, so both solvers start in the optimum's basin and reach it in
   * 100 iterations (from MLlib's random initial weights both need several hundred on this
   * non-convex objective). Compared: the objective each reaches (both computed by spark-gemm's
   * Objective, MLlib's also against its own last objective), the gradient there, θ itself and
   * the predicted class of every row.
   */
  @Test
  void lbfgsReachesMllibsOptimum() {
    double[] start = truth.clone();
    Random random = new Random(3);
    for (int i = 0; i < start.length; i++) {
      start[i] += 0.3 * random.nextGaussian();
    }
    int maxIter = 100;
    MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(LAYERS)
        .setInitialWeights(Vectors.dense(start)).setBlockSize(BLOCK).setSolver("l-bfgs")
        .setMaxIter(maxIter).setTol(1e-12);
    MultilayerPerceptronClassificationModel fitted = mlp.fit(data);
    double[] mllibTheta = fitted.weights().toArray();
    double[] history = fitted.summary().objectiveHistory();
    BlockedInput input = blocks();
    try {
      TrainSpec spec = lbfgs(maxIter, 1e-12);
      Objective objective = new Objective(spark, input, NETWORK, spec);
      Trainer.Result ours = Trainer.train(objective, spec, Trainer.Start.fresh(start),
          (record, theta, velocity) -> { });
      Objective.Evaluation atStart = objective.evaluate(start, 0);
      Objective.Evaluation atOurs = objective.evaluate(ours.theta(), 0);
      Objective.Evaluation atMllibs = objective.evaluate(mllibTheta, 0);
      NaiveNetwork naive = new NaiveNetwork(LAYERS, "sigmoid");
      int agree = 0;
      for (int r = 0; r < N; r++) {
        agree += NaiveNetwork.argmax(naive.output(ours.theta(), x[r]))
            == NaiveNetwork.argmax(naive.output(mllibTheta, x[r])) ? 1 : 0;
      }
      assertThat(relative(atMllibs.value(), history[history.length - 1])).isLessThan(1e-9);
      assertThat(relative(atOurs.value(), atMllibs.value())).isLessThan(1e-6);
      // both near a stationary point, and the same one
      assertThat(atStart.gradientNorm()).isGreaterThan(1e-2);
      assertThat(atOurs.gradientNorm()).isLessThan(1e-3);
      assertThat(atMllibs.gradientNorm()).isLessThan(1e-3);
      assertThat(relative(ours.theta(), mllibTheta)).isLessThan(1e-3);
      assertThat(agree).isGreaterThanOrEqualTo(N - N / 200);
    } finally {
      input.release();
    }
  }
}
