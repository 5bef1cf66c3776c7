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
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same input, partitioning and backend: the same bits, across runs, task retries and sharded
 * reductions; with --deterministic, across partition counts and input layouts too. Every result
 * is also checked against a single-block reference computation, so equal bits are right bits.
 */
class ReproducibilityTest {
  static final int N = 1500;
  static final int D = 8;
  static final int K = 5;
  static final int BLOCK_ROWS = 16;

  static SparkSession spark;
  @TempDir
  static Path dir;
  static DenseBlock x;
  static DenseBlock w;
  static double[] b;
  static DenseBlock targets;
  static final AtomicInteger failedTasks = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    // local[2,2]: a failed task is retried once, as on a cluster.
    spark = SparkSession.builder().master("local[2,2]").appName("ReproducibilityTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
        .getOrCreate();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
          failedTasks.incrementAndGet();
        }
      }
    });
    Random random = new Random(23);
    x = DistributedPassTest.random(random, N, D);
    w = DistributedPassTest.random(random, D, K);
    b = random.doubles(K, -1, 1).toArray();
    targets = DistributedPassTest.random(random, N, K);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create((long) r, DistributedPassTest.row(x, r),
          DistributedPassTest.row(targets, r)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("targets", DataTypes.createArrayType(DataTypes.DoubleType));
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path("one-file.parquet"));
    // The same rows in another order, over five files.
    List<Row> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(3));
    spark.createDataFrame(shuffled, schema).repartition(5).write()
        .parquet(path("five-files.parquet"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static BlockedInput load(String file, int partitions, boolean deterministic) {
    return InputLoader.load(spark, InputSpec.builder(path(file)).idCol("id")
        .labels(LabelKind.TARGETS, "targets", null).blockRows(BLOCK_ROWS).partitions(partitions)
        .deterministic(deterministic).build());
  }

  private static PassSpec mse(int depth, boolean dx) {
    return PassSpec.backward(Loss.MSE).inputGradient(dx)
        .dtype(DType.FLOAT64).backend(BackendOptions.named("native")).treeDepth(depth).build();
  }

  @Test
  void aShardedReductionEqualsTheUnshardedOneBitForBit() {
    BlockedInput input = load("one-file.parquet", 7, false);
    try {
      GradientAccumulator expected = reference();
      long gradientBytes = 8L * (D * K + K);
      for (int depth : new int[] {1, 2, 3}) {
        try (PassResult whole = LinearPass.run(spark, input, Theta.linear(w, b), mse(depth,
            false))) {
          assertThat(whole.gradientShards()).isEqualTo(1);
          assertClose(whole.gradient().layer(0).dw(), expected.dw(),
              "unsharded dW, depth " + depth);
          for (long threshold : new long[] {gradientBytes / 2, 1}) {
            try (PassResult sharded = LinearPass.run(spark, input, Theta.linear(w, b),
                mse(depth, false).toBuilder().shardThreshold(threshold).build())) {
              String what = "depth " + depth + ", threshold " + threshold;
              assertThat(sharded.gradientShards()).as(what).isEqualTo(threshold == 1 ? K : 2);
              assertThat(sharded.bytesToDriver()).as(what + ": each shard once")
                  .isEqualTo(gradientBytes);
              assertSameBits(sharded.gradient().layer(0), whole.gradient().layer(0), what);
            }
          }
        }
      }
    } finally {
      input.release();
    }
  }

  @Test
  void aRetriedTaskGivesTheSameBits() throws InterruptedException {
    BlockedInput input = load("one-file.parquet", 4, false);
    try {
      PassResult clean = LinearPass.run(spark, input, Theta.linear(w, b), mse(2, true));
      int failuresBefore = failedTasks.get();
      spark.sparkContext().setLocalProperty(TestHooks.FAIL_PARTITION_ONCE, "1");
      PassResult retried;
      try {
        retried = LinearPass.run(spark, input, Theta.linear(w, b), mse(2, true));
      } finally {
        spark.sparkContext().setLocalProperty(TestHooks.FAIL_PARTITION_ONCE, null);
      }
      for (int wait = 0; wait < 100 && failedTasks.get() == failuresBefore; wait++) {
        Thread.sleep(100);
      }
      assertThat(failedTasks.get()).as("the injected failure happened").isGreaterThan(
          failuresBefore);
      assertSameBits(retried.gradient().layer(0), clean.gradient().layer(0), "after a retry");
      assertThat(dx(retried)).as("dX after a retry").isEqualTo(dx(clean));
      assertClose(clean.gradient().layer(0).dw(), reference().dw(), "dW");
      clean.close();
      retried.close();
    } finally {
      input.release();
    }
  }

  @Test
  void deterministicResultsDoNotDependOnThePartitioning() {
    GradientAccumulator expected = reference();
    GradientAccumulator first = null;
    double[] firstDx = null;
    for (String file : new String[] {"one-file.parquet", "five-files.parquet"}) {
      for (int partitions : new int[] {0, 1, 3, 8}) {
        BlockedInput input = load(file, partitions, true);
        try {
          String what = file + ", partitions " + partitions;
          assertThat(input.numChunks()).as(what).isEqualTo(
              (N + BLOCK_ROWS * InputSpec.BLOCKS_PER_CHUNK - 1)
                  / (BLOCK_ROWS * InputSpec.BLOCKS_PER_CHUNK));
          assertThat(input.numBlocks()).as(what + ": blocks cut by row id")
              .isEqualTo((N + BLOCK_ROWS - 1) / BLOCK_ROWS);
          try (PassResult pass = LinearPass.run(spark, input, Theta.linear(w, b), mse(0, true))) {
            assertClose(pass.gradient().layer(0).dw(), expected.dw(), what);
            double[] dx = dx(pass);
            if (first == null) {
              first = pass.gradient().layer(0);
              firstDx = dx;
            } else {
              assertSameBits(pass.gradient().layer(0), first, what);
              assertThat(dx).as(what + " dX").isEqualTo(firstDx);
            }
          }
        } finally {
          input.release();
        }
      }
    }
  }

  private static void assertSameBits(GradientAccumulator actual, GradientAccumulator expected,
      String what) {
    assertThat(actual.dw()).as(what + ": dW bits").isEqualTo(expected.dw());
    assertThat(actual.db()).as(what + ": db bits").isEqualTo(expected.db());
    assertThat(Double.doubleToRawLongBits(actual.loss())).as(what + ": loss bits")
        .isEqualTo(Double.doubleToRawLongBits(expected.loss()));
  }

  private static double[] dx(PassResult pass) {
    double[] dx = new double[N * D];
    for (PartitionResult r : pass.partials().collect()) {
      for (OutputBlock o : r.outputs()) {
        if (o.name().equals("dX")) {
          DenseBlock block = o.values();
          for (int i = 0; i < block.numRows(); i++) {
            System.arraycopy(block.doubles(), i * D, dx, (int) block.rowId(i) * D, D);
          }
        }
      }
    }
    return dx;
  }

  /** The mse gradient of all rows as one block, by the reference GEMM. */
  private static GradientAccumulator reference() {
    LinearKernels kernels = new LinearKernels(ReferenceGemm.INSTANCE);
    DenseBlock y = kernels.forward(x, w, b);
    DenseBlock g = DenseBlock.zeros(DType.FLOAT64, N, K);
    GradientAccumulator acc = new GradientAccumulator(D, K);
    acc.addLoss(LossHeads.of("mse", N).lossAndGradient(y, Labels.targets(targets), g), N);
    kernels.accumulateGradients(x, g, acc);
    return acc;
  }

  private static void assertClose(double[] actual, double[] expected, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as(what + " at " + i)
          .isCloseTo(expected[i], Offset.offset(1e-12));
    }
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
