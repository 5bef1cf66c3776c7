package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.CacheLevels;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Times one fused forward + backward pass (Y, dW, db, dX; loss mean) over cached blocks on Spark
 * against the single-process floor ({@link Floor}: the same kernels per block on identical blocks,
 * one JVM, no Spark, buffers allocated once); once with {@code floorThreads} OpenBLAS threads in
 * one Java thread, once with {@code floorThreads} Java threads of one OpenBLAS thread each.
 * Blocks are generated from a seed (block i from stream i) so both sides see the same data
 * without reading files.
 */
public final class PassBench {
  private PassBench() {
  }

  /** Timings in seconds (best of the repeats) and the cached size of X. */
  public record Result(long rows, int features, int outputs, DType dtype, int blockRows,
      int partitions, double floorSeconds, double parallelFloorSeconds, double passSeconds,
      long cachedBytes, long rawBytes, String backend) {

    public double flops() {
      return 3 * 2.0 * rows * features * outputs;
    }

    public double floorGflops() {
      return flops() / floorSeconds / 1e9;
    }

    public double parallelFloorGflops() {
      return flops() / parallelFloorSeconds / 1e9;
    }

    public double passGflops() {
      return flops() / passSeconds / 1e9;
    }
  }

  public static Result run(SparkSession spark, long rows, int d, int k, DType dtype,
      int blockRows, int partitions, int repeats, int floorThreads) {
    int numBlocks = Math.toIntExact((rows + blockRows - 1) / blockRows);
    DenseBlock w = WeightInit.create("xavier", d, k, 1).toDType(dtype);
    List<DenseBlock> xs = new ArrayList<>(numBlocks);
    for (long i = 0; i < numBlocks; i++) {
      xs.add(block(i, rows, d, dtype, blockRows));
    }
    double floor = floor(xs, rows, w, repeats, floorThreads, 1);
    double parallelFloor = floor(xs, rows, w, repeats, 1, floorThreads);
    xs = null;
    System.gc();

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Long> indices = LongStream.range(0, numBlocks).boxed().toList();
    JavaRDD<LabeledBlock> blocks = jsc.parallelize(indices, partitions)
        .map(i -> new LabeledBlock(block(i, rows, d, dtype, blockRows), null, null, null))
        .persist(StorageLevel.MEMORY_AND_DISK());
    spark.sparkContext().setJobDescription("spark-gemm bench: generate and cache X");
    long numRows = blocks.map(LabeledBlock::numRows).reduce(Integer::sum);
    CacheLevels.Placement placement = CacheLevels.placement(blocks, CacheLevels.DEFAULT);
    long cached = placement.memoryBytes() + placement.diskBytes();
    BlockedInput input = BlockedInput.builder(blocks)
        .shape(numRows, d)
        .blocking(blockRows, numBlocks)
        .cache(placement)
        .build();
    PassSpec spec = PassSpec.backward(Loss.MEAN).inputGradient(true).dtype(dtype)
        .backend(BackendOptions.named("native")).discardOutputs(true).build();
    double best = Double.POSITIVE_INFINITY;
    String backend = "";
    for (int r = 0; r < repeats + 1; r++) {
      try (PassResult pass = LinearPass.run(spark, input, Theta.linear(w, new double[k]), spec)) {
        if (r > 0) {
          best = Math.min(best, pass.seconds());
        }
        backend = String.join("; ", pass.backends());
      }
    }
    blocks.unpersist(true);
    return new Result(rows, d, k, dtype, blockRows, partitions, floor, parallelFloor, best, cached,
        rows * d * (long) dtype.bytes(), backend);
  }

  /**
   * The pass's work (Y, the mean head's G, dW, db, dX) over every block by {@link Floor}: in one
   * Java thread with {@code threads} OpenBLAS threads ({@code javaThreads == 1}), or in
   * {@code javaThreads} Java threads with one OpenBLAS thread each, blocks split between them.
   */
  private static double floor(List<DenseBlock> xs, long rows, DenseBlock w, int repeats,
      int threads, int javaThreads) {
    List<Floor.Block> blocks = xs.stream().map(x -> new Floor.Block(x, null, null)).toList();
    Floor.Setup setup = new Floor.Setup(Op.FUSED, LossHeads.of("mean", rows), javaThreads,
        javaThreads > 1 ? 1 : threads);
    return Floor.time(blocks, w, new double[w.numCols()], setup, 1, repeats).min();
  }

  /** Block i: rows [i·blockRows, ...) of a seeded N(0,1) matrix, with their row ids. */
  static DenseBlock block(long index, long rows, int d, DType dtype, int blockRows) {
    int n = (int) Math.min(blockRows, rows - index * blockRows);
    SplittableRandom random = new SplittableRandom(1234 + index);
    DenseBlock x = DenseBlock.zeros(dtype, n, d);
    if (dtype == DType.FLOAT64) {
      double[] v = x.doubles();
      for (int i = 0; i < v.length; i++) {
        v[i] = random.nextDouble(-1, 1);
      }
    } else {
      float[] v = x.floats();
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextDouble(-1, 1);
      }
    }
    long[] ids = new long[n];
    for (int r = 0; r < n; r++) {
      ids[r] = index * blockRows + r;
    }
    return x.withRowIds(ids);
  }
}
