package io.sparkgemm.bench;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.CacheLevels;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.pass.PassResult;
import java.io.Serializable;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.SparkSession;

/**
 * Cached blocks made in memory rather than read from files, for benchmarks: block i holds rows
 * [i·blockRows, ...) with their ids, and class labels or an upstream gradient when asked. The
 * blocks are made on the executors from a serializable recipe, cached MEMORY_AND_DISK and
 * materialised once, like {@link InputLoader}'s.
 */
public final class BenchInputs {
  private BenchInputs() {
  }

  /** How to make the block of rows [from, to): its X, and its labels or G (or neither). */
  public interface Recipe extends Serializable {
    DenseBlock x(long from, long to);

    /** Class labels of rows [from, to), or null. */
    int[] classes(long from, long to);

    /** Upstream gradient rows [from, to), or null. */
    DenseBlock upstream(long from, long to);
  }

  /** Makes, caches and materialises the blocks of n rows x d features. */
  public static BlockedInput cache(SparkSession spark, Recipe recipe, long n, int d,
      int blockRows, int partitions) {
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long numBlocks = (n + blockRows - 1) / blockRows;
    List<Long> indices = LongStream.range(0, numBlocks).boxed().toList();
    JavaRDD<LabeledBlock> blocks = jsc.parallelize(indices, partitions).map(i -> {
      long from = i * blockRows;
      long to = Math.min(n, from + blockRows);
      return new LabeledBlock(recipe.x(from, to), null, recipe.classes(from, to),
          recipe.upstream(from, to));
    }).persist(CacheLevels.parse(CacheLevels.DEFAULT));
    blocks.setName("spark-gemm bench blocks");
    spark.sparkContext().setJobDescription("spark-gemm bench: make and cache X blocks");
    Function2<long[], long[], long[]> add = (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]};
    long[] totals = blocks.map(b -> new long[] {b.numRows(), b.payloadBytes()})
        .fold(new long[2], add);
    LabeledBlock first = blocks.first();
    int labelWidth = first.classes() != null ? 1
        : first.upstream() != null ? first.upstream().numCols() : 0;
    return BlockedInput.builder(blocks)
        .shape(totals[0], d)
        .labelWidth(labelWidth)
        .blocking(blockRows, numBlocks)
        .payloadBytes(totals[1])
        .seconds((System.nanoTime() - start) / 1e9)
        .cache(CacheLevels.placement(blocks, CacheLevels.DEFAULT))
        .build();
  }

  /**
   * Folds the kept output blocks named {@code name} ("Y" or "dX") of a pass that kept them, on
   * the executors: {@code add} folds one block into a partition's value, {@code merge} combines
   * two partitions' values.
   */
  public static <T> T foldOutputs(PassResult pass, String name, T zero,
      Function2<T, DenseBlock, T> add, Function2<T, T, T> merge) {
    return pass.outputBlocks(name).aggregate(zero, add, merge);
  }
}
