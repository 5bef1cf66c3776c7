package io.sparkgemm.spark.pass;

import static io.sparkgemm.spark.pass.NaiveNetwork.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
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
 * The pass for networks of several layers against a row-by-row loop oracle
 * ({@link NaiveNetwork}): the gradient over all rows, dX, forward with softmax; the linear layer
 * as the one-layer network; the same bits twice, after a retried task and, with --deterministic,
 * across partition counts.
 */
class NetworkPassTest {
  static final int N = 300;
  static final int D = 5;
  static final int H = 4;
  static final int K = 3;
  static final int BLOCK_ROWS = 8;
  static final double TOL = 1e-12;
  static final int EXACT_ROWS = 256;
  /** The exact fixture's loss, dW[0][0..2] and db (exact binary fractions). */
  static final double PINNED_LOSS = 6.8646697998046875;
  static final double[] PINNED_DW = {-0.473388671875, 0.36932373046875, 0.84661865234375};
  static final double[] PINNED_DB = {-1.540771484375, -2.052001953125, 1.5947265625};

  static SparkSession spark;
  @TempDir
  static Path dir;
  static double[][] x;
  static double[][] targets;
  static int[] classes;
  static int[] all;
  static double[][] exactX;
  static double[][] exactT;

  static final Network TANH = Network.of(D, new int[] {H}, Activation.TANH, K);
  static final Network DEEP = new Network(new int[] {D, H, 6, K},
      List.of(Activation.RELU, Activation.SIGMOID));

  @BeforeAll
  static void setUp() {
    spark = RetryingSpark.start("NetworkPassTest");
    Random random = new Random(41);
    x = new double[N][];
    targets = new double[N][];
    classes = new int[N];
    all = new int[N];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      x[r] = random.doubles(D, -1, 1).toArray();
      targets[r] = random.doubles(K, -1, 1).toArray();
      classes[r] = random.nextInt(K);
      all[r] = r;
      rows.add(RowFactory.create((long) r, x[r], targets[r], classes[r]));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("targets", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("label", DataTypes.IntegerType);
    spark.createDataFrame(rows, schema).repartition(3).write().parquet(path("x.parquet"));
    exactX = new double[EXACT_ROWS][D];
    exactT = new double[EXACT_ROWS][K];
    List<Row> exact = new ArrayList<>();
    for (int r = 0; r < EXACT_ROWS; r++) {
      for (int c = 0; c < D; c++) {
        exactX[r][c] = (random.nextInt(9) - 4) / 4.0;
      }
      for (int c = 0; c < K; c++) {
        exactT[r][c] = (random.nextInt(9) - 4) / 4.0;
      }
      exact.add(RowFactory.create((long) r, exactX[r], exactT[r], 0));
    }
    spark.createDataFrame(exact, schema).repartition(3).write().parquet(path("exact.parquet"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static BlockedInput load(LabelKind kind, DType dtype, int partitions, boolean deterministic) {
    String column = kind == LabelKind.TARGETS ? "targets"
        : kind == LabelKind.CLASSES ? "label" : null;
    return InputLoader.load(spark, InputSpec.builder(path("x.parquet")).idCol("id")
        .labels(kind, column, null).dtype(dtype).blockRows(BLOCK_ROWS).partitions(partitions)
        .deterministic(deterministic).build());
  }

  static PassSpec spec(Loss loss, boolean dx) {
    return PassSpec.backward(loss).inputGradient(dx)
        .dtype(DType.FLOAT64).backend(BackendOptions.named("native")).build();
  }

  static double[] theta(Network network, long seed) {
    return new Random(seed).doubles(network.numParameters(), -0.6, 0.6).toArray();
  }

  static NaiveNetwork naive(Network network) {
    return new NaiveNetwork(network.sizes(), network.activations());
  }

  @Test
  void aNetworksGradientIsTheSumOverAllRows() {
    for (Network network : List.of(TANH, DEEP)) {
      for (Loss loss : List.of(Loss.MSE, Loss.SOFTMAX_CE)) {
        BlockedInput input = load(loss == Loss.MSE ? LabelKind.TARGETS : LabelKind.CLASSES,
            DType.FLOAT64, 3, false);
        try {
          double[] theta = theta(network, 5);
          NaiveNetwork.Result expected = naive(network).gradient(theta, x,
              loss == Loss.MSE ? targets : null, classes, all);
          String what = network.describe() + " " + loss.label();
          try (PassResult pass = LinearPass.run(spark, input, Theta.of(network, theta), spec(loss,
              false))) {
            NetworkGradient g = pass.gradient();
            assertClose(g.flat(), expected.gradient(), TOL, what + " gradient");
            assertClose(new double[] {g.loss()}, new double[] {expected.loss()}, TOL,
                what + " loss");
            assertThat(g.numRows()).as(what + " rows").isEqualTo(N);
            assertThat(pass.network()).isEqualTo(network);
          }
        } finally {
          input.release();
        }
      }
    }
  }

  @Test
  void aNetworksDxIsG0TimesW0Transposed() {
    BlockedInput input = load(LabelKind.TARGETS, DType.FLOAT64, 3, false);
    try {
      double[] theta = theta(DEEP, 7);
      NaiveNetwork.Result expected = naive(DEEP).gradient(theta, x, targets, null, all);
      try (PassResult pass = LinearPass.run(spark, input, Theta.of(DEEP, theta), spec(Loss.MSE,
          true))) {
        double[] dx = rowsById(pass.outputBlocks("dX").collect(), D);
        assertClose(dx, flatten(expected.dx()), TOL, "dX");
        assertClose(pass.gradient().flat(), expected.gradient(), TOL, "gradient");
      }
    } finally {
      input.release();
    }
  }

  @Test
  void forwardWithSoftmaxKeepsProbabilitiesThatSumToOne() {
    for (DType dtype : DType.values()) {
      BlockedInput input = load(LabelKind.NONE, dtype, 3, false);
      try {
        double[] theta = theta(DEEP, 9);
        PassSpec forward = PassSpec.forward()
            .dtype(dtype).backend(BackendOptions.named("native")).softmax(true).build();
        try (PassResult pass = LinearPass.run(spark, input, Theta.of(DEEP, theta), forward)) {
          double[] y = rowsById(pass.outputBlocks("Y").collect(), K);
          double[] expected = new double[N * K];
          for (int r = 0; r < N; r++) {
            double[] xr = dtype == DType.FLOAT64 ? x[r] : rounded(x[r]);
            System.arraycopy(naive(DEEP).softmax(dtype == DType.FLOAT64 ? theta
                : rounded(theta), xr), 0, expected, r * K, K);
            double sum = 0;
            for (int c = 0; c < K; c++) {
              sum += y[r * K + c];
            }
            assertThat(sum).as("row %d sums to 1", r).isCloseTo(1.0,
                offset(dtype == DType.FLOAT64 ? 1e-15 : 1e-6));
          }
          assertClose(y, expected, dtype == DType.FLOAT64 ? TOL : 1e-5, dtype + " softmax(Y)");
        }
        try (PassResult pass = LinearPass.run(spark, input, Theta.of(DEEP, theta),
            PassSpec.forward().dtype(dtype).backend(BackendOptions.named("native")).build())) {
          double[] y = rowsById(pass.outputBlocks("Y").collect(), K);
          double[] logits = new double[N * K];
          for (int r = 0; r < N; r++) {
            System.arraycopy(naive(DEEP).output(theta, x[r]), 0, logits, r * K, K);
          }
          assertClose(y, logits, dtype == DType.FLOAT64 ? TOL : 1e-5, dtype + " Y");
        }
      } finally {
        input.release();
      }
    }
  }

  @Test
  void theLinearLayerIsTheOneLayerNetworkBitForBit() {
    // Dyadic values of few bits (X, T in quarters, θ in eighths, n = 256): every product and
    // sum is exact, so the pass must give the oracle's bits in any order, on any machine.
    BlockedInput input = InputLoader.load(spark, InputSpec.builder(path("exact.parquet"))
        .idCol("id").labels(LabelKind.TARGETS, "targets", null).dtype(DType.FLOAT64)
        .blockRows(BLOCK_ROWS).partitions(3).build());
    try {
      Network linear = Network.linear(D, K);
      Random random = new Random(13);
      double[] theta = new double[linear.numParameters()];
      for (int i = 0; i < theta.length; i++) {
        theta[i] = (random.nextInt(17) - 8) / 8.0;
      }
      int[] rows = new int[EXACT_ROWS];
      Arrays.setAll(rows, r -> r);
      NaiveNetwork.Result expected = naive(linear).gradient(theta, exactX, exactT, null, rows);
      Theta packed = Theta.linear(DenseBlock.ofDoubles(D, K, Arrays.copyOf(theta, D * K)),
          Arrays.copyOfRange(theta, D * K, D * K + K));
      try (PassResult pass = LinearPass.run(spark, input, packed, spec(Loss.MSE, true))) {
        assertThat(pass.network()).isEqualTo(linear);
        assertThat(pass.gradient().flat()).as("dW, db bits").isEqualTo(expected.gradient());
        assertThat(pass.gradient().loss()).isEqualTo(expected.loss());
        assertThat(rowsById(pass.outputBlocks("dX").collect(), D, EXACT_ROWS))
            .isEqualTo(flatten(expected.dx()));
        // pinned: the fixture's values
        assertThat(pass.gradient().loss()).isEqualTo(PINNED_LOSS);
        assertThat(Arrays.copyOf(pass.gradient().layer(0).dw(), 3)).containsExactly(PINNED_DW);
        assertThat(pass.gradient().layer(0).db()).containsExactly(PINNED_DB);
        assertThat(pass.flops()).isEqualTo(3 * 2.0 * EXACT_ROWS * D * K);
      }
    } finally {
      input.release();
    }
  }

  @Test
  void aNetworkGivesTheSameBitsTwiceAndAfterARetriedTask() throws Exception {
    BlockedInput input = load(LabelKind.CLASSES, DType.FLOAT64, 4, false);
    try {
      double[] theta = theta(DEEP, 13);
      PassSpec pass = spec(Loss.SOFTMAX_CE, false);
      double[] first = gradient(input, theta, pass);
      assertThat(gradient(input, theta, pass)).as("a second run").isEqualTo(first);
      double[] retried = RetryingSpark.retried(spark, () -> gradient(input, theta, pass));
      assertThat(retried).as("after a retry").isEqualTo(first);
      assertClose(first, naive(DEEP).gradient(theta, x, null, classes, all).gradient(), TOL,
          "gradient");
    } finally {
      input.release();
    }
  }

  @Test
  void withDeterministicANetworksBitsDoNotDependOnThePartitioning() {
    double[] theta = theta(DEEP, 17);
    double[] expected = naive(DEEP).gradient(theta, x, targets, null, all).gradient();
    double[] first = null;
    for (int partitions : new int[] {1, 3, 8}) {
      BlockedInput input = load(LabelKind.TARGETS, DType.FLOAT64, partitions, true);
      try {
        assertThat(input.numChunks()).isGreaterThan(1);
        double[] g = gradient(input, theta, spec(Loss.MSE, false));
        assertClose(g, expected, TOL, "partitions " + partitions);
        if (first == null) {
          first = g;
        } else {
          assertThat(g).as("partitions %d: the bits of 1 partition", partitions)
              .isEqualTo(first);
        }
      } finally {
        input.release();
      }
    }
  }

  @Test
  void aNetworksGradientIsReducedWholeAtAnyShardThreshold() {
    BlockedInput input = load(LabelKind.TARGETS, DType.FLOAT64, 5, false);
    try {
      double[] theta = theta(TANH, 19);
      PassSpec deep = PassSpec.backward(Loss.MSE)
          .dtype(DType.FLOAT64).backend(BackendOptions.named("native")).treeDepth(2).build();
      try (PassResult whole = LinearPass.run(spark, input, Theta.of(TANH, theta), deep);
          PassResult low = LinearPass.run(spark, input, Theta.of(TANH, theta),
              deep.toBuilder().shardThreshold(1).build())) {
        assertThat(low.gradientShards()).isEqualTo(1);
        assertThat(low.treeDepth()).isEqualTo(2);
        assertThat(low.gradient().flat()).isEqualTo(whole.gradient().flat());
        assertThat(low.bytesToDriver()).isGreaterThanOrEqualTo(8L * TANH.numParameters());
      }
    } finally {
      input.release();
    }
  }

  static double[] gradient(BlockedInput input, double[] theta, PassSpec spec) {
    try (PassResult pass = LinearPass.run(spark, input, Theta.of(DEEP, theta), spec)) {
      return pass.gradient().flat();
    }
  }

  /** Row-shaped output blocks put back in row-id order, as one float64 array. */
  static double[] rowsById(List<DenseBlock> blocks, int cols) {
    return rowsById(blocks, cols, N);
  }

  static double[] rowsById(List<DenseBlock> blocks, int cols, int n) {
    double[] out = new double[n * cols];
    int seen = 0;
    for (DenseBlock block : blocks) {
      DenseBlock values = block.toDType(DType.FLOAT64);
      for (int i = 0; i < values.numRows(); i++) {
        System.arraycopy(values.doubles(), i * cols, out, (int) block.rowId(i) * cols, cols);
        seen++;
      }
    }
    assertThat(seen).as("rows kept").isEqualTo(n);
    return out;
  }

  static double[] flatten(double[][] rows) {
    double[] out = new double[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * rows[r].length, rows[r].length);
    }
    return out;
  }

  static double[] rounded(double[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
