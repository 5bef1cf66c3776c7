package io.sparkgemm.spark.reduce;

import org.apache.spark.sql.SparkSession;

/**
 * Chooses the depth of the gradient tree reduction ({@link OrderedTreeReduce}) from the leaf
 * count and the gradient size: the driver should receive at most a budget of bytes per pass
 * (half of {@code spark.driver.maxResultSize}, a quarter of the driver's heap, at most 256 MB)
 * and, with many partitions, merge only a handful of buffers itself. Gradients above the shard
 * threshold are reduced in column shards on the executors and reach the driver once.
 */
public final class TreeDepth {
  static final long MAX_BUDGET = 256L << 20;
  private static final int MAX_DEPTH = 6;

  private TreeDepth() {
  }

  /** Default size above which dW is reduced in column shards: 64 MiB. */
  public static final long DEFAULT_SHARD_THRESHOLD = 64L << 20;

  public static int choose(int partitions, long gradientBytes, long maxResultSize) {
    return chooseWithin(partitions, gradientBytes, budget(maxResultSize, 0));
  }

  /** Bytes the driver may receive per pass: see the class comment. */
  static long budget(long maxResultSize, long driverHeap) {
    long budget = MAX_BUDGET;
    if (maxResultSize > 0) {
      budget = Math.min(budget, maxResultSize / 2);
    }
    if (driverHeap > 0) {
      budget = Math.min(budget, driverHeap / 4);
    }
    return budget;
  }

  /**
   * Column shards for a gradient of {@code gradientBytes} (d·k·8 + k·8): 1 up to the threshold,
   * else enough that each holds at most the threshold, at most one per column.
   */
  static int shards(long gradientBytes, long threshold, int outFeatures) {
    if (gradientBytes <= threshold) {
      return 1;
    }
    long count = (gradientBytes + threshold - 1) / threshold;
    return (int) Math.min(count, outFeatures);
  }

  /**
   * Depth for sums of a few values (an evaluation's, or a few per column) over {@code leaves}
   * leaves of {@code bytes} each: 1, the driver merging every leaf without a shuffle, while all
   * of them fit the budget; else as for a gradient.
   */
  public static int forSmallSums(SparkSession spark, int leaves, long bytes) {
    return forSmallSums(leaves, bytes, budget(maxResultSize(spark), driverHeap()));
  }

  static int forSmallSums(int leaves, long bytes, long budget) {
    return (long) leaves * bytes <= budget ? 1 : chooseWithin(leaves, bytes, budget);
  }

  static int chooseWithin(int partitions, long gradientBytes, long budget) {
    if (partitions <= 8 && (long) partitions * gradientBytes <= budget) {
      return 1;
    }
    int best = 2;
    for (int depth = 2; depth <= MAX_DEPTH; depth++) {
      long bytes = bytesToDriver(partitions, depth, gradientBytes);
      if (bytes <= budget && finalPartitions(partitions, depth) <= 16) {
        return depth;
      }
      if (bytes < bytesToDriver(partitions, best, gradientBytes)) {
        best = depth;
      }
    }
    // No depth fits the budget: the one that sends the driver the least.
    return best;
  }

  /** Bytes the driver collects: one gradient buffer per sum left at the last level. */
  static long bytesToDriver(int partitions, int depth, long gradientBytes) {
    return finalPartitions(partitions, depth) * gradientBytes;
  }

  /** Fan-in of each tree level: about the depth-th root of the partition count, at least 2. */
  static int scale(int partitions, int depth) {
    return Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / Math.max(1, depth))), 2);
  }

  /**
   * The partial sums the driver collects, as {@link OrderedTreeReduce} levels them: divide the
   * count by scale while that leaves fewer sums to merge.
   */
  static long finalPartitions(int partitions, int depth) {
    long count = partitions;
    if (depth <= 1) {
      return count;
    }
    int scale = scale(partitions, depth);
    while (count > scale + (count + scale - 1) / scale) {
      count = (count + scale - 1) / scale;
    }
    return count;
  }

  /** The driver's maximum heap: in client and local mode, this JVM's. */
  static long driverHeap() {
    return Runtime.getRuntime().maxMemory();
  }

  public static long maxResultSize(SparkSession spark) {
    return spark.sparkContext().getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
  }
}
