package io.sparkgemm.spark.train;

import static io.sparkgemm.spark.pass.NaiveNetwork.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.pass.NaiveNetwork;
import io.sparkgemm.spark.pass.RowSlice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The objective over a network, full batch and by minibatch steps, against the loop oracle
 * ({@link NaiveNetwork}) plus (reg/2)·Σ||W_l||² worked out here; the linear model's objective
 * is the one-layer network's, bit for bit.
 */
class ObjectiveNetworkTest {
  static final int N = 157;
  static final int D = 4;
  static final int K = 3;
  static final double REG = 0.3;
  static final Network NET = new Network(new int[] {D, 5, 3, K},
      List.of(Activation.SIGMOID, Activation.RELU));

  static SparkSession spark;
  @TempDir
  static Path dir;
  static double[][] x;
  static int[] classes;
  static BlockedInput input;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("ObjectiveNetworkTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    Random random = new Random(21);
    x = new double[N][];
    classes = new int[N];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      x[r] = random.doubles(D, -2, 2).toArray();
      classes[r] = random.nextInt(K);
      rows.add(RowFactory.create((long) r, x[r], classes[r]));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("label", DataTypes.IntegerType);
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(path("x.parquet"));
    input = InputLoader.load(spark, InputSpec.builder(path("x.parquet")).idCol("id")
        .labels(LabelKind.CLASSES, "label", null).blockRows(8).partitions(3).deterministic(true)
        .build());
  }

  @AfterAll
  static void tearDown() {
    input.release();
    spark.stop();
  }

  static TrainSpec spec() {
    return TrainSpec.builder(Loss.SOFTMAX_CE).regParam(REG)
        .backend(BackendOptions.named("native")).build();
  }

  static double[] theta(Network network) {
    return new Random(4).doubles(network.numParameters(), -0.8, 0.8).toArray();
  }

  /** The oracle's loss and gradient over {@code rows} plus the ridge on every W (not b). */
  static double[] expected(Network network, double[] theta, int[] rows, double[] value) {
    NaiveNetwork.Result r = new NaiveNetwork(network.sizes(), network.activations())
        .gradient(theta, x, null, classes, rows);
    double[] g = r.gradient().clone();
    double squares = 0;
    int at = 0;
    for (int l = 0; l < network.numLayers(); l++) {
      int weights = network.size(l) * network.size(l + 1);
      for (int i = at; i < at + weights; i++) {
        g[i] += REG * theta[i];
        squares += theta[i] * theta[i];
      }
      at += weights + network.size(l + 1);
    }
    value[0] = r.loss() + 0.5 * REG * squares;
    return g;
  }

  @Test
  void theFullBatchObjectiveIsTheOraclesPlusTheRidgeOnEveryW() {
    Objective objective = new Objective(spark, input, NET, spec());
    assertThat(objective.network()).isEqualTo(NET);
    assertThat(objective.numParameters()).isEqualTo(4 * 5 + 5 + 5 * 3 + 3 + 3 * 3 + 3);
    double[] theta = theta(NET);
    Objective.Evaluation e = objective.evaluate(theta, 0);
    double[] value = new double[1];
    double[] g = expected(NET, theta, allRows(), value);
    assertClose(e.gradient(), g, 1e-12, "gradient");
    assertThat(e.value()).isCloseTo(value[0], offset(1e-12));
    assertThat(e.rows()).isEqualTo(N);
    assertThat(e.gradientNorm()).isCloseTo(norm(g), offset(1e-12));
  }

  @Test
  void aStepsObjectiveIsTheOraclesOverItsRowsAndTheEpochCoversEveryRow() {
    Objective objective = new Objective(spark, input, NET, spec());
    double[] theta = theta(NET);
    int batchRows = 40;
    int steps = objective.stepsPerEpoch(batchRows);
    assertThat(steps).isEqualTo(4);
    long rows = 0;
    for (int s = 0; s < steps; s++) {
      MinibatchStep batch = new MinibatchStep(12, 1, s, batchRows);
      Objective.Evaluation e = objective.evaluateBatch(theta, batch, s);
      int[] mine = rowsByRule(12, 1, s, steps);
      assertThat(e.rows()).isEqualTo(mine.length);
      double[] value = new double[1];
      assertClose(e.gradient(), expected(NET, theta, mine, value), 1e-12, "step " + s);
      assertThat(e.value()).isCloseTo(value[0], offset(1e-12));
      assertThat(objective.evaluateBatch(theta, batch, s).gradient()).as("the same bits again")
          .isEqualTo(e.gradient());
      rows += e.rows();
    }
    assertThat(rows).isEqualTo(N);
    assertThatThrownBy(() -> objective.evaluateBatch(theta, new MinibatchStep(12, 1, 4, batchRows),
        9)).hasMessageContaining("Step 4 is past the epoch: 157 rows in batches of 40 make 4");
  }

  @Test
  void theLinearModelIsTheOneLayerNetwork() {
    Network linear = Network.linear(D, K);
    Objective objective = new Objective(spark, input, linear, spec());
    double[] theta = theta(linear);
    assertThat(objective.numParameters()).isEqualTo(D * K + K);
    Objective.Evaluation a = objective.evaluate(theta, 0);
    double[] value = new double[1];
    assertClose(a.gradient(), expected(linear, theta, allRows(), value), 1e-12, "linear");
    assertThat(a.value()).isCloseTo(value[0], offset(1e-12));
    assertThat(objective.evaluate(theta, 0).gradient()).as("the same bits twice")
        .isEqualTo(a.gradient());
    // θ of the linear model: W row-major, then b
    Theta at = Theta.of(linear, theta);
    assertThat(at.weight(0).doubles()).isEqualTo(Arrays.copyOf(theta, D * K));
    assertThat(at.bias(0)).isEqualTo(Arrays.copyOfRange(theta, D * K, D * K + K));
    assertThat(Theta.linear(at.weight(0), at.bias(0)).values()).isEqualTo(theta);
    double[] deep = theta(NET);
    assertThat(Theta.of(NET, deep).bias(2)).as("the top layer's b ends θ")
        .isEqualTo(Arrays.copyOfRange(deep, deep.length - K, deep.length));
  }

  /** --deterministic chunks of chunkRows row ids, each sliced by the documented rule. */
  static int[] rowsByRule(long seed, int epoch, int step, int steps) {
    List<Integer> rows = new ArrayList<>();
    long chunkRows = input.chunkRows();
    for (long chunk : input.chunkIds()) {
      int from = (int) (chunk * chunkRows);
      int size = (int) Math.min(chunkRows, N - from);
      int[] order = RowSlice.order(seed, epoch, chunk, size);
      for (int i = (int) ((long) size * step / steps);
          i < (int) ((long) size * (step + 1) / steps); i++) {
        rows.add(from + order[i]);
      }
    }
    return rows.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  static int[] allRows() {
    int[] rows = new int[N];
    for (int r = 0; r < N; r++) {
      rows[r] = r;
    }
    return rows;
  }

  static double norm(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e * e;
    }
    return Math.sqrt(s);
  }

  /**
   * --standardize: μ and σ against loops; the objective at θ' is the oracle's on the rows
   * standardised by loops (the ridge on the standardised W), its gradient too (the chain rule
   * of {@link InputScaling}); and the folded θ runs on raw rows as θ' on standardised ones.
   */
  @Test
  void theStandardisedObjectiveIsTheOraclesOnStandardisedRows() {
    double[] mean = new double[D];
    double[] sd = new double[D];
    for (double[] row : x) {
      for (int c = 0; c < D; c++) {
        mean[c] += row[c] / N;
      }
    }
    for (double[] row : x) {
      for (int c = 0; c < D; c++) {
        sd[c] += (row[c] - mean[c]) * (row[c] - mean[c]) / N;
      }
    }
    double[][] raw = x;
    double[][] standardised = new double[N][D];
    for (int c = 0; c < D; c++) {
      sd[c] = Math.sqrt(sd[c]);
      for (int r = 0; r < N; r++) {
        standardised[r][c] = (raw[r][c] - mean[c]) / sd[c];
      }
    }
    InputScaling scaling = InputScaling.measure(spark, input);
    assertClose(scaling.mean(), mean, 1e-12, "column means");
    assertClose(scaling.scale(), sd, 1e-12, "column deviations");

    Objective objective = new Objective(spark, input, NET, spec());
    objective.standardize(scaling);
    double[] theta = theta(NET);
    Objective.Evaluation e = objective.evaluate(theta, 0);
    double[] value = new double[1];
    double[] g;
    x = standardised;
    try {
      g = expected(NET, theta, allRows(), value);
    } finally {
      x = raw;
    }
    assertClose(e.gradient(), g, 1e-10, "gradient in standardised coordinates");
    assertThat(e.value()).isCloseTo(value[0], offset(1e-12));

    NaiveNetwork oracle = new NaiveNetwork(NET.sizes(), NET.activations());
    double[] folded = objective.modelTheta(theta);
    for (int r = 0; r < N; r++) {
      assertClose(oracle.output(folded, raw[r]), oracle.output(theta, standardised[r]), 1e-12,
          "row " + r + " through the folded first layer");
    }
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
