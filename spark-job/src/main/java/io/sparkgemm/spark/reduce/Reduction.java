package io.sparkgemm.spark.reduce;

import static io.sparkgemm.spark.block.CacheLevels.mb;

import io.sparkgemm.local.net.Network;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a pass's gradient is reduced: the tree depth and the number of column shards, chosen before
 * the pass from the gradient's size (8 bytes per parameter: d·k·8 + k·8 for one layer), the
 * driver's heap and {@code spark.driver.maxResultSize}. Only the one-layer network's dW is cut
 * into column shards; a deeper network's flat gradient is reduced whole (one shard), its depth
 * chosen against the same budget.
 */
public record Reduction(int depth, int shards) {
  private static final Logger LOG = LoggerFactory.getLogger(Reduction.class);

  /**
   * Plans the reduction of a d x k gradient over {@code leaves} partial sums.
   * {@code shardThreshold} and {@code treeDepth}: 0 chooses.
   */
  public static Reduction plan(SparkSession spark, long shardThreshold, int treeDepth, int leaves,
      int d, int k) {
    long gradientBytes = 8L * ((long) d * k + k);
    long threshold = shardThreshold > 0 ? shardThreshold
        : TreeDepth.DEFAULT_SHARD_THRESHOLD;
    return plan(spark, threshold, treeDepth, leaves, d, k, gradientBytes,
        TreeDepth.shards(gradientBytes, threshold, k), "dW + db");
  }

  /**
   * Plans the reduction of {@code network}'s flat gradient over {@code leaves} partial sums: as
   * {@link #plan(SparkSession, long, int, int, int, int)} for one layer, unsharded otherwise.
   */
  public static Reduction plan(SparkSession spark, long shardThreshold, int treeDepth, int leaves,
      Network network) {
    if (network.numLayers() == 1) {
      return plan(spark, shardThreshold, treeDepth, leaves, network.inFeatures(),
          network.outFeatures());
    }
    long threshold = shardThreshold > 0 ? shardThreshold
        : TreeDepth.DEFAULT_SHARD_THRESHOLD;
    return plan(spark, threshold, treeDepth, leaves, network.inFeatures(),
        network.outFeatures(), 8L * network.numParameters(), 1,
        "The " + network.describe() + " network's gradient");
  }

  private static Reduction plan(SparkSession spark, long threshold, int treeDepth, int leaves,
      int d, int k, long gradientBytes, int shards, String what) {
    long maxResult = TreeDepth.maxResultSize(spark);
    long heap = TreeDepth.driverHeap();
    long budget = TreeDepth.budget(maxResult, heap);
    long perShard = (gradientBytes + shards - 1) / shards;
    int depth = treeDepth > 0 ? treeDepth
        : TreeDepth.chooseWithin(leaves, perShard, budget);
    if (shards > 1) {
      LOG.info(String.format(Locale.ROOT, "dW + db is %s (d=%d, k=%d), above the shard threshold "
          + "of %s: reducing it in %d column shards of about %s on the executors, tree depth %d; "
          + "the driver receives each shard once", mb(gradientBytes), d, k, mb(threshold), shards,
          mb(perShard), depth));
    } else {
      long toDriver = TreeDepth.bytesToDriver(leaves, depth, gradientBytes);
      // Routine (and once per training iteration or minibatch step): the report has depth and
      // bytes, so the line is formatted only when it is shown.
      if (toDriver <= budget && !LOG.isDebugEnabled()) {
        return new Reduction(depth, shards);
      }
      String line = String.format(Locale.ROOT, "%s is %s; tree depth %d over %d leaves: the "
          + "driver receives %s (budget %s: half of spark.driver.maxResultSize %s, a quarter of "
          + "the driver heap %s, at most %s)", what, mb(gradientBytes), depth, leaves,
          mb(toDriver), mb(budget), mb(maxResult), mb(heap), mb(TreeDepth.MAX_BUDGET));
      if (toDriver > budget && what.equals("dW + db")) {
        LOG.warn(line + "; over budget: lower the shard threshold (shardThreshold, "
            + "--shard-threshold) to reduce in shards");
      } else if (toDriver > budget) {
        LOG.warn(line + "; over budget: a network's gradient is reduced whole (column shards "
            + "cut one layer's dW only): raise spark.driver.maxResultSize or the driver memory");
      } else {
        LOG.debug(line);
      }
    }
    return new Reduction(depth, shards);
  }
}
