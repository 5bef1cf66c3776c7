package io.sparkgemm.spark.pass;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.ReferenceGemm;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.output.OutputBlock;
import io.sparkgemm.spark.reduce.PartitionResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The distributed pass equals one single-block computation by the reference kernels, for block
 * sizes {1, 7, n}, partition counts {1, 3, more than rows (empty partitions)}, both dtypes,
 * every loss head (a supplied G in shuffled row order included), with and without dX.
 */
class DistributedPassTest {
  static final int N = 29;
  static final int D = 6;
  static final int K = 4;

  static SparkSession spark;
  @TempDir
  static Path dir;
  static DenseBlock x;
  static DenseBlock w;
  static double[] b;
  static DenseBlock targets;
  static int[] classes;
  static DenseBlock upstream;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("DistributedPassTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    Random random = new Random(11);
    x = random(random, N, D);
    w = random(random, D, K);
    b = random.doubles(K, -1, 1).toArray();
    targets = random(random, N, K);
    classes = random.ints(N, 0, K).toArray();
    upstream = random(random, N, K);
    List<Row> rows = new ArrayList<>();
    List<Row> gRows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create((long) r, row(x, r), row(targets, r), classes[r]));
      gRows.add(RowFactory.create((long) r, row(upstream, r)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("targets", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("label", DataTypes.IntegerType);
    spark.createDataFrame(rows, schema).repartition(3).write().parquet(path("x.parquet"));
    Collections.shuffle(gRows, new Random(5));
    StructType gSchema = new StructType().add("id", DataTypes.LongType)
        .add("g", DataTypes.createArrayType(DataTypes.DoubleType));
    spark.createDataFrame(gRows, gSchema).repartition(2).write().parquet(path("g.parquet"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Stream<Arguments> grid() {
    List<Arguments> cases = new ArrayList<>();
    for (DType dtype : DType.values()) {
      for (int blockRows : new int[] {1, 7, N}) {
        for (int partitions : new int[] {1, 3, N + 5}) {
          cases.add(Arguments.of(dtype, blockRows, partitions));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} blockRows={1} partitions={2}")
  @MethodSource("grid")
  void everyLossHeadEqualsTheSingleBlockComputation(DType dtype, int blockRows, int partitions) {
    Map<LabelKind, List<String>> heads = Map.of(LabelKind.NONE, List.of("sum", "mean"),
        LabelKind.TARGETS, List.of("mse"), LabelKind.CLASSES, List.of("softmax-ce"),
        LabelKind.UPSTREAM, List.of("supplied"));
    for (Map.Entry<LabelKind, List<String>> entry : heads.entrySet()) {
      InputSpec.Builder builder = InputSpec.builder(path("x.parquet")).idCol("id")
          .labels(entry.getKey(), entry.getKey() == LabelKind.TARGETS ? "targets"
              : entry.getKey() == LabelKind.CLASSES ? "label" : null, null)
          .dtype(dtype).blockRows(blockRows).partitions(partitions);
      if (entry.getKey() == LabelKind.UPSTREAM) {
        builder.upstream(path("g.parquet"), null);
      }
      InputSpec spec = builder.build();
      BlockedInput input = InputLoader.load(spark, spec);
      try {
        assertThat(input.numRows()).isEqualTo(N);
        assertThat(input.numPartitions()).isEqualTo(partitions);
        assertThat(input.numBlocks()).isGreaterThanOrEqualTo((N + blockRows - 1) / blockRows);
        for (String head : entry.getValue()) {
          for (boolean withDx : new boolean[] {false, true}) {
            check(input, head, dtype, withDx);
          }
        }
      } finally {
        input.release();
      }
    }
  }

  @Test
  void repeatedPassesGiveTheSameBitsAtEveryTreeDepth() {
    InputSpec spec = InputSpec.builder(path("x.parquet")).idCol("id")
        .labels(LabelKind.TARGETS, "targets", null).blockRows(1).partitions(23).build();
    BlockedInput input = InputLoader.load(spark, spec);
    try {
      Expected expected = singleBlock("mse", DType.FLOAT64);
      for (int depth : new int[] {1, 2, 3}) {
        double[] first = null;
        for (int run = 0; run < 3; run++) {
          PassSpec pass = PassSpec.backward(Loss.MSE)
              .dtype(DType.FLOAT64).backend(BackendOptions.named("native"))
              .treeDepth(depth).build();
          double[] dw;
          try (PassResult result = LinearPass.run(spark, input, Theta.linear(w, b), pass)) {
            assertThat(result.treeDepth()).isEqualTo(depth);
            dw = result.gradient().layer(0).dw().clone();
          }
          assertClose(dw, expected.acc.dw(), 1e-12, "depth " + depth + " dW");
          if (first == null) {
            first = dw;
          } else {
            assertThat(dw).as("depth %d run %d: same bits as run 0", depth, run)
                .isEqualTo(first);
          }
        }
      }
    } finally {
      input.release();
    }
  }

  private void check(BlockedInput input, String head, DType dtype, boolean withDx) {
    PassSpec spec = PassSpec.backward(Loss.parse(head)).inputGradient(withDx)
        .dtype(dtype).backend(BackendOptions.named("native")).build();
    try (PassResult pass = LinearPass.run(spark, input, Theta.linear(w, b), spec)) {
      Expected expected = singleBlock(head, dtype);
      double tol = dtype == DType.FLOAT64 ? 1e-12 : 2e-5;
      String what = head + " " + dtype.label();
      assertClose(pass.gradient().layer(0).dw(), expected.acc.dw(), tol, what + " dW");
      assertClose(pass.gradient().layer(0).db(), expected.acc.db(), tol, what + " db");
      assertClose(new double[] {pass.gradient().layer(0).loss()},
          new double[] {expected.acc.loss()},
          tol, what + " loss");
      assertThat(pass.gradient().layer(0).numRows()).isEqualTo(N);
      if (withDx) {
        double[] dx = new double[N * D];
        int seen = 0;
        for (PartitionResult r : pass.partials().collect()) {
          for (OutputBlock o : r.outputs()) {
            DenseBlock block = o.values().toDType(DType.FLOAT64);
            for (int i = 0; i < block.numRows(); i++) {
              System.arraycopy(block.doubles(), i * D, dx, (int) block.rowId(i) * D, D);
              seen++;
            }
          }
        }
        assertThat(seen).isEqualTo(N);
        assertClose(dx, expected.dx.doubles(), tol, what + " dX");
      }
    }
  }

  private record Expected(GradientAccumulator acc, DenseBlock dx) {
  }

  /** All rows in one block, reference GEMM, float64 inputs rounded to the dtype first. */
  private static Expected singleBlock(String head, DType dtype) {
    LinearKernels kernels = new LinearKernels(ReferenceGemm.INSTANCE);
    DenseBlock xs = x.toDType(dtype).toDType(DType.FLOAT64);
    DenseBlock ws = w.toDType(dtype).toDType(DType.FLOAT64);
    DenseBlock y = kernels.forward(xs, ws, b);
    DenseBlock g = DenseBlock.zeros(DType.FLOAT64, N, K);
    Labels labels = switch (head) {
      case "mse" -> Labels.targets(targets);
      case "softmax-ce" -> Labels.classes(classes);
      case "supplied" -> Labels.gradient(upstream.toDType(dtype).toDType(DType.FLOAT64));
      default -> null;
    };
    LossHead lossHead = LossHeads.of(head, N);
    GradientAccumulator acc = new GradientAccumulator(D, K);
    acc.addLoss(lossHead.lossAndGradient(y, labels, g), N);
    kernels.accumulateGradients(xs, g, acc);
    return new Expected(acc, kernels.inputGradient(g, ws));
  }

  private static void assertClose(double[] actual, double[] expected, double rtol, String what) {
    assertThat(actual).as(what + " length").hasSize(expected.length);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      double limit = rtol * Math.max(scale, 1e-300);
      if (!(Math.abs(actual[i] - expected[i]) <= limit)) {
        throw new AssertionError(what + " differs at index " + i + ": " + actual[i]
            + " vs expected " + expected[i] + " (limit " + limit + ")");
      }
    }
  }

  static DenseBlock random(Random random, int rows, int cols) {
    return DenseBlock.ofDoubles(rows, cols, random.doubles((long) rows * cols, -1, 1).toArray());
  }

  static double[] row(DenseBlock m, int r) {
    double[] out = new double[m.numCols()];
    System.arraycopy(m.doubles(), r * m.numCols(), out, 0, m.numCols());
    return out;
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
