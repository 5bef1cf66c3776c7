package io.sparkgemm.spark.pass;

import static io.sparkgemm.spark.pass.NaiveNetwork.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
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
 * Minibatch steps in the pass. Which rows a step took is read off the gradient of the {@code sum}
 * head on one-hot rows (row r is e_r, so dW[r] counts how often row r was used); a network's step
 * gradient equals the loop oracle's over exactly the rows that the documented rule
 * ({@link RowSlice}) picks, worked out here from the chunks' row ids.
 */
class MiniBatchPassTest {
  static final int N = 203;
  static final int D = 5;
  static final int K = 3;
  static final int BLOCK_ROWS = 4;
  static final long SEED = 77;

  static SparkSession spark;
  @TempDir
  static Path dir;
  static double[][] x;
  static double[][] targets;

  static final Network NET = Network.of(D, new int[] {4}, Activation.TANH, K);

  @BeforeAll
  static void setUp() {
    spark = RetryingSpark.start("MiniBatchPassTest");
    Random random = new Random(3);
    x = new double[N][];
    targets = new double[N][];
    List<Row> oneHot = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      double[] e = new double[N];
      e[r] = 1;
      oneHot.add(RowFactory.create((long) r, e));
      x[r] = random.doubles(D, -1, 1).toArray();
      targets[r] = random.doubles(K, -1, 1).toArray();
      rows.add(RowFactory.create((long) r, x[r], targets[r]));
    }
    StructType features = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType));
    spark.createDataFrame(oneHot, features).repartition(3).write()
        .parquet(path("one-hot.parquet"));
    spark.createDataFrame(rows, features.add("targets",
        DataTypes.createArrayType(DataTypes.DoubleType))).repartition(3).write()
        .parquet(path("x.parquet"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static BlockedInput load(String file, LabelKind kind, int partitions, boolean deterministic) {
    return InputLoader.load(spark, InputSpec.builder(path(file)).idCol("id")
        .labels(kind, kind == LabelKind.TARGETS ? "targets" : null, null).blockRows(BLOCK_ROWS)
        .partitions(partitions).deterministic(deterministic).build());
  }

  static PassSpec spec(Loss loss) {
    return PassSpec.backward(loss)
        .dtype(DType.FLOAT64).backend(BackendOptions.named("native")).build();
  }

  /** The sum head's gradient on one-hot rows: how often the step used each row. */
  static double[] usedRows(BlockedInput input, RowSlice slice) {
    Network counter = Network.linear(N, 1);
    try (PassResult pass = LinearPass.run(spark, input, Theta.of(counter,
        new double[counter.numParameters()]), spec(Loss.SUM), slice)) {
      NetworkGradient g = pass.gradient();
      // db = Σ_rows 1: the step's rows
      assertThat(g.layer(0).db()[0]).isEqualTo(slice.rows());
      assertThat(g.numRows()).isEqualTo(slice.rows());
      assertThat(pass.numRows()).isEqualTo(slice.rows());
      return g.layer(0).dw().clone();
    }
  }

  @Test
  void theStepsOfAnEpochTakeEveryRowExactlyOnce() {
    for (boolean deterministic : new boolean[] {false, true}) {
      BlockedInput input = load("one-hot.parquet", LabelKind.NONE, 3, deterministic);
      try {
        RowSlices slices = RowSlices.count(input);
        assertThat(slices.numRows()).isEqualTo(N);
        int steps = slices.stepsPerEpoch(50);
        assertThat(steps).isEqualTo(5);
        double[] uses = new double[N];
        long rows = 0;
        for (int s = 0; s < steps; s++) {
          RowSlice slice = slices.slice(SEED, 2, s, steps);
          double[] used = usedRows(input, slice);
          double inStep = 0;
          for (int r = 0; r < N; r++) {
            assertThat(used[r]).as("row %d in step %d", r, s).isIn(0.0, 1.0);
            uses[r] += used[r];
            inStep += used[r];
          }
          assertThat(inStep).isEqualTo(slice.rows());
          assertThat(slice.rows()).isBetween(38L, 43L);
          rows += slice.rows();
        }
        assertThat(rows).isEqualTo(N);
        for (int r = 0; r < N; r++) {
          assertThat(uses[r]).as("deterministic %s: row %d over the epoch", deterministic, r)
              .isEqualTo(1.0);
        }
      } finally {
        input.release();
      }
    }
  }

  @Test
  void theSameSeedTakesTheSameRowsAndAnotherEpochOthers() {
    BlockedInput input = load("one-hot.parquet", LabelKind.NONE, 3, false);
    try {
      RowSlices slices = RowSlices.count(input);
      int steps = slices.stepsPerEpoch(64);
      double[] first = usedRows(input, slices.slice(SEED, 0, 1, steps));
      assertThat(usedRows(input, slices.slice(SEED, 0, 1, steps))).isEqualTo(first);
      assertThat(usedRows(input, slices.slice(SEED, 1, 1, steps))).isNotEqualTo(first);
      assertThat(usedRows(input, slices.slice(SEED + 1, 0, 1, steps))).isNotEqualTo(first);
    } finally {
      input.release();
    }
  }

  @Test
  void aNetworksStepGradientIsTheOraclesOverTheRowsTheRuleTakes() {
    double[] theta = new Random(8).doubles(NET.numParameters(), -0.7, 0.7).toArray();
    double[] first = null;
    for (int partitions : new int[] {1, 3}) {
      BlockedInput input = load("x.parquet", LabelKind.TARGETS, partitions, true);
      try {
        RowSlices slices = RowSlices.count(input);
        int steps = slices.stepsPerEpoch(60);
        RowSlice slice = slices.slice(SEED, 3, 2, steps);
        int[] expectedRows = rowsByRule(input.chunkRows(), input.chunkIds(), 3, 2, steps);
        assertThat(slice.rows()).isEqualTo(expectedRows.length);
        NaiveNetwork.Result expected = new NaiveNetwork(NET.sizes(), NET.activations())
            .gradient(theta, x, targets, null, expectedRows);
        try (PassResult pass = LinearPass.run(spark, input, Theta.of(NET, theta), spec(Loss.MSE),
            slice)) {
          NetworkGradient g = pass.gradient();
          assertClose(g.flat(), expected.gradient(), 1e-12, "partitions " + partitions);
          assertClose(new double[] {g.loss()}, new double[] {expected.loss()}, 1e-12, "loss");
          assertThat(g.numRows()).isEqualTo(expectedRows.length);
          if (first == null) {
            first = g.flat();
          } else {
            assertThat(g.flat()).as("the bits of one partition").isEqualTo(first);
          }
        }
      } finally {
        input.release();
      }
    }
  }

  /**
   * A small θ travels inside the pass's tasks, for a step and for a full pass: neither makes a
   * broadcast (whose creation and blocking removal cost every pass milliseconds); a θ over
   * {@link TaskParams#SHIPPED_THETA_BYTES} is broadcast. A full pass gives the same bits either
   * way.
   */
  @Test
  void aSmallThetaTravelsInTheTasks() {
    BlockedInput input = load("x.parquet", LabelKind.TARGETS, 3, false);
    try {
      double[] theta = new Random(4).doubles(NET.numParameters(), -0.7, 0.7).toArray();
      RowSlices slices = RowSlices.count(input);
      RowSlice slice = slices.slice(SEED, 0, 1, slices.stepsPerEpoch(60));
      try (PassResult step = LinearPass.run(spark, input, Theta.of(NET, theta), spec(Loss.MSE),
          slice)) {
        assertThat(step.broadcasts()).as("a step's broadcasts").isEmpty();
      }
      double[] shipped;
      try (PassResult full = LinearPass.run(spark, input, Theta.of(NET, theta), spec(Loss.MSE))) {
        assertThat(full.broadcasts()).as("a full pass's broadcasts").isEmpty();
        shipped = full.gradient().flat();
      }
      try (PassResult full = LinearPass.run(spark, input, Theta.of(NET, theta), spec(Loss.MSE),
          null, false)) {
        assertThat(full.broadcasts()).as("a broadcast pass's broadcasts").hasSize(1);
        assertThat(full.gradient().flat()).as("broadcast against shipped")
            .isEqualTo(shipped);
      }
      Network wide = Network.of(D, new int[] {(int) (TaskParams.SHIPPED_THETA_BYTES / 8 / D)},
          Activation.TANH, K);
      assertThat(wide.numParameters() * 8L).isGreaterThan(TaskParams.SHIPPED_THETA_BYTES);
      double[] big = new Random(6).doubles(wide.numParameters(), -0.1, 0.1).toArray();
      try (PassResult full = LinearPass.run(spark, input, Theta.of(wide, big), spec(Loss.MSE))) {
        assertThat(full.broadcasts()).as("a large θ's broadcasts").hasSize(1);
      }
    } finally {
      input.release();
    }
  }

  /**
   * Steps of gradient descent over two epochs give the same θ, bit for bit, whether θ travels in
   * the tasks or in a broadcast, and over 1 or 3 partitions of chunked rows; the oracle's steps
   * over the rows the rule takes end at the same θ up to rounding.
   */
  @Test
  void theStepsGiveOneThetaHoweverItTravels() {
    double[] start = new Random(5).doubles(NET.numParameters(), -0.7, 0.7).toArray();
    NaiveNetwork oracle = new NaiveNetwork(NET.sizes(), NET.activations());
    double rate = 0.3;
    double[] bits = null;
    for (int partitions : new int[] {1, 3}) {
      BlockedInput input = load("x.parquet", LabelKind.TARGETS, partitions, true);
      try {
        RowSlices slices = RowSlices.count(input);
        int steps = slices.stepsPerEpoch(70);
        double[] shipped = start.clone();
        double[] broadcast = start.clone();
        double[] naive = start.clone();
        for (int t = 0; t < 2 * steps; t++) {
          RowSlice slice = slices.slice(SEED, t / steps, t % steps, steps);
          descend(shipped, stepGradient(input, shipped, slice, true), rate);
          descend(broadcast, stepGradient(input, broadcast, slice, false), rate);
          int[] rows = rowsByRule(input.chunkRows(), input.chunkIds(), t / steps, t % steps,
              steps);
          descend(naive, oracle.gradient(naive, x, targets, null, rows).gradient(), rate);
        }
        assertThat(shipped).as("%d partitions: shipped against broadcast", partitions)
            .isEqualTo(broadcast);
        assertClose(shipped, naive, 1e-10, partitions + " partitions against the oracle");
        if (bits == null) {
          bits = shipped;
        } else {
          assertThat(shipped).as("the bits of one partition").isEqualTo(bits);
        }
      } finally {
        input.release();
      }
    }
  }

  private static double[] stepGradient(BlockedInput input, double[] theta, RowSlice slice,
      boolean shipped) {
    try (PassResult pass = LinearPass.run(spark, input, Theta.of(NET, theta), spec(Loss.MSE),
        slice, shipped)) {
      return pass.gradient().flat();
    }
  }

  /** θ -= rate · gradient. */
  private static void descend(double[] theta, double[] gradient, double rate) {
    for (int i = 0; i < theta.length; i++) {
      theta[i] -= rate * gradient[i];
    }
  }

  /** Row ids 0..N-1 in chunks of chunkRows; each chunk's rows in order, sliced by the rule. */
  static int[] rowsByRule(long chunkRows, long[] chunkIds, int epoch, int step, int steps) {
    List<Integer> rows = new ArrayList<>();
    for (long chunk : chunkIds) {
      int from = (int) (chunk * chunkRows);
      int size = (int) Math.min(chunkRows, N - from);
      int[] order = RowSlice.order(SEED, epoch, chunk, size);
      int lo = (int) ((long) size * step / steps);
      int hi = (int) ((long) size * (step + 1) / steps);
      for (int i = lo; i < hi; i++) {
        rows.add(from + order[i]);
      }
    }
    return rows.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  @Test
  void aRetriedStepGivesTheSameBits() throws Exception {
    BlockedInput input = load("x.parquet", LabelKind.TARGETS, 3, false);
    try {
      double[] theta = new Random(9).doubles(NET.numParameters(), -0.7, 0.7).toArray();
      RowSlices slices = RowSlices.count(input);
      RowSlice slice = slices.slice(SEED, 0, 0, slices.stepsPerEpoch(100));
      double[] clean = step(input, theta, slice);
      double[] retried = RetryingSpark.retried(spark, () -> step(input, theta, slice));
      assertThat(retried).isEqualTo(clean);
    } finally {
      input.release();
    }
  }

  @Test
  void aStepKeepsNoOutputs() {
    BlockedInput input = load("x.parquet", LabelKind.TARGETS, 3, false);
    try {
      RowSlices slices = RowSlices.count(input);
      RowSlice slice = slices.slice(SEED, 0, 0, 2);
      assertThatThrownBy(() -> LinearPass.run(spark, input,
          Theta.of(NET, new double[NET.numParameters()]),
          PassSpec.backward(Loss.MSE).inputGradient(true)
              .dtype(DType.FLOAT64).backend(BackendOptions.named("native")).build(), slice))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("keeps no Y or dX");
      assertThatThrownBy(() -> slices.slice(SEED, 0, 2, 2))
          .hasMessageContaining("Step 2 of 2 steps per epoch");
    } finally {
      input.release();
    }
  }

  static double[] step(BlockedInput input, double[] theta, RowSlice slice) {
    try (PassResult pass = LinearPass.run(spark, input, Theta.of(NET, theta), spec(Loss.MSE),
        slice)) {
      return pass.gradient().flat();
    }
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
