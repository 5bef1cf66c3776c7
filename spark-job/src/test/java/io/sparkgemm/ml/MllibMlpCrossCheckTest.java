package io.sparkgemm.ml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * same rows. Here 2,000 rows in 2 partitions of 1,000 and blocks of 100 make it so.
 */
class MllibMlpCrossCheckTest {
  static final int N = 2000;
  static final int D = 20;
  static final int H = 8;
  static final int K = 4;
  static final int[] LAYERS = {D, H, K};
  static final int BLOCK = 100;

  private static SparkSession spark;
  private static double[][] x;
  private static int[] labels;
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
    double[] truth = new double[teacher.numParameters()];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = random.nextGaussian() * 1.5;
    }
    x = new double[N][D];
    labels = new int[N];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < D; c++) {
        x[r][c] = random.nextGaussian();
      }
      double[] y = teacher.forward(x[r], truth);
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
    // a local relation in 2 partitions of 1,000 rows: MLlib stacks them into 20 blocks of 100
    data = spark.createDataFrame(rows, schema);
    assertThat(data.rdd().getNumPartitions()).isEqualTo(2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
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
    NaiveNetwork.Evaluation naive = new NaiveNetwork(LAYERS, "sigmoid").evaluate(x, labels,
        theta);
    assertThat(relative(mllib.value(), naive.value())).isLessThan(1e-12);
    assertThat(relative(mllib.gradient(), naive.gradient())).isLessThan(1e-12);
  }
}
