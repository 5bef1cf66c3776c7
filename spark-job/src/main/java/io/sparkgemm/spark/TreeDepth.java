package io.sparkgemm.spark;

import org.apache.spark.sql.SparkSession;

/**
 * Chooses the depth of the gradient tree reduction ({@link OrderedTreeReduce}) from the partition count and the gradient
 * size: the driver should receive at most a budget of bytes per pass (half of
 * {@code spark.driver.maxResultSize}, at most 256 MB) and, with many partitions, merge only a
 * handful of buffers itself.
 */
final class TreeDepth {
  static final long MAX_BUDGET = 256L << 20;
  private static final int MAX_DEPTH = 6;

  private TreeDepth() {
  }

  static int choose(int partitions, long gradientBytes, long maxResultSize) {
    long budget = maxResultSize > 0 ? Math.min(MAX_BUDGET, maxResultSize / 2) : MAX_BUDGET;
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

  static long maxResultSize(SparkSession spark) {
    return spark.sparkContext().getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
  }
}
