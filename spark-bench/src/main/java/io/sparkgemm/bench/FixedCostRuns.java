package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A pass's fixed cost: what one training pass (softmax-ce, dW and db, nothing kept, as
 * {@code train} runs it) costs over a tiny cached input beyond its GEMMs. The pass's median wall
 * time over {@code reps} passes is set against the floor's ({@link Floor}: the same kernels on
 * the same blocks, one JVM, no Spark); the difference is the scheduling, the broadcast of W, the
 * reduction and the driver's share of every pass.
 */
public final class FixedCostRuns {
  private FixedCostRuns() {
  }

  /** The default tiny input: 1,000 x 784 -> 10 (Fashion-MNIST's width), float64. */
  public static final Shape TINY = new Shape(1000, 784, 10);

  /**
   * Medians in seconds per pass.
   *
   * @param passSeconds the pass's wall time on the driver
   * @param gemmSeconds the floor's time for the same kernels on the same blocks
   */
  public record Result(Shape shape, DType dtype, int partitions, int reps, double passSeconds,
      double gemmSeconds) {

    /** Seconds per pass beyond the GEMMs. */
    public double fixedSeconds() {
      return Math.max(0.0, passSeconds - gemmSeconds);
    }
  }

  /**
   * {@link #run(SparkSession, Shape, DType, int, int, int)} on {@link #TINY} after 30 untimed
   * passes (Spark's per-job code keeps the JIT busy for the first few dozen).
   */
  public static Result run(SparkSession spark, int partitions, int reps) {
    return run(spark, TINY, DType.FLOAT64, partitions, 30, reps);
  }

  /**
   * Caches {@code shape}'s seeded blocks (with class labels) in {@code partitions} partitions of
   * one block each, runs {@code warmups} untimed passes, then {@code reps} timed ones, and the
   * floor over the same blocks with one Java thread per core.
   */
  public static Result run(SparkSession spark, Shape shape, DType dtype, int partitions,
      int warmups, int reps) {
    SeededData data = new SeededData(shape, dtype, 42);
    int blockRows = blockRows(shape, partitions);
    BlockedInput input = cache(spark, data, partitions);
    DenseBlock w = WeightInit.create("xavier", shape.d(), shape.k(), 1).toDType(dtype);
    double[] b = new double[shape.k()];
    PassSpec spec = PassSpec.backward(Loss.SOFTMAX_CE).dtype(dtype)
        .backend(new BackendOptions("native", 1, null)).build();
    try {
      Timings pass = Timings.measure(warmups, reps, () -> {
        try (PassResult result = LinearPass.run(spark, input, Theta.linear(w, b), spec)) {
          return result.seconds();
        }
      });
      int cores = Math.max(1, Math.min(spark.sparkContext().defaultParallelism(),
          Runtime.getRuntime().availableProcessors()));
      Timings gemms = Floor.time(blocks(data, blockRows), w, b, new Floor.Setup(Op.GRADIENT,
          LossHeads.of("softmax-ce", shape.n()), cores, 1), warmups, reps);
      return new Result(shape, dtype, partitions, reps, pass.median(), gemms.median());
    } finally {
      input.release();
    }
  }

  /** Rows per block: one block per partition. */
  static int blockRows(Shape shape, int partitions) {
    return (int) Math.max(1, (shape.n() + partitions - 1) / partitions);
  }

  /** {@code data}'s blocks with class labels, cached in {@code partitions} of one block each. */
  static BlockedInput cache(SparkSession spark, SeededData data, int partitions) {
    return cache(spark, data, blockRows(data.shape(), partitions), partitions);
  }

  /** {@code data}'s blocks of {@code blockRows} rows with class labels, cached. */
  static BlockedInput cache(SparkSession spark, SeededData data, int blockRows,
      int partitions) {
    Shape shape = data.shape();
    return BenchInputs.cache(spark, data.recipe(true, false), shape.n(), shape.d(), blockRows,
        partitions);
  }

  private static List<Floor.Block> blocks(SeededData data, int blockRows) {
    List<Floor.Block> blocks = new ArrayList<>();
    long n = data.shape().n();
    for (long from = 0; from < n; from += blockRows) {
      long to = Math.min(n, from + blockRows);
      blocks.add(new Floor.Block(data.xBlock(from, to), null, data.labels(from, to)));
    }
    return blocks;
  }
}
