package io.sparkgemm.spark.reduce;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * A tree reduction of the pass's partial gradients whose every merge happens in leaf-index
 * order, so the same input and partitioning give the same bits, however tasks are scheduled,
 * retried or finish. Spark's {@code treeAggregate} has the same shape but merges shuffle inputs
 * and, on the driver, task results in arrival order, which changes float64 sums from run to run.
 *
 * <p>A leaf is a partition's result (or, with --deterministic, a chunk's). Level by level, leaf
 * or node i goes to node i / scale; a node's inputs are merged in index order on an executor.
 * Unsharded, the last level is collected and merged, in index order, on the driver. Sharded, the
 * gradient is cut into column ranges at the leaves and each range runs through the same tree
 * separately (a fixed partitioner per level), its last level merged on an executor in the same
 * order; the driver then receives each shard once. Every element of dW sees the same additions
 * in the same order either way, so sharding does not change a bit. The zero value is an empty
 * {@link GradientSum}: buffers are allocated on executors.
 */
public final class OrderedTreeReduce {
  private OrderedTreeReduce() {
  }

  /** A node of the tree: column shard and index within its level. */
  record Node(int shard, int index) implements Serializable {
  }

  /** What came back, and how many gradient bytes the driver received. */
  public record Reduced(GradientSum sum, long bytesToDriver, int finalNodes) {
  }

  /**
   * @param leaves the number of leaf indices (partitions, or chunks)
   * @param bounds column ranges of the shards: shard s holds [bounds[s], bounds[s + 1]);
   *     {@code {0, k}} for no sharding
   */
  public static Reduced reduce(JavaRDD<PartitionResult> partials, int leaves, int depth,
      int[] bounds, int inFeatures) {
    int shards = bounds.length - 1;
    JavaPairRDD<Node, GradientSum> level = partials.flatMapToPair(part -> {
      List<Tuple2<Node, GradientSum>> out = new ArrayList<>(shards);
      for (int s = 0; s < shards; s++) {
        out.add(new Tuple2<>(new Node(s, part.leaf()),
            GradientSum.leaf(part, bounds[s], bounds[s + 1])));
      }
      return out.iterator();
    });
    int count = leaves;
    int scale = TreeDepth.scale(leaves, depth);
    while (depth > 1 && count > scale + (count + scale - 1) / scale) {
      int groups = (count + scale - 1) / scale;
      level = level.mapToPair(t -> new Tuple2<>(new Node(t._1().shard(), t._1().index() / scale),
              new Tuple2<>(t._1().index(), t._2())))
          .groupByKey(new NodePartitioner(groups, shards))
          .mapValues(OrderedTreeReduce::mergeInOrder);
      count = groups;
    }
    int outFeatures = bounds[shards];
    if (shards == 1) {
      List<Tuple2<Node, GradientSum>> last = new ArrayList<>(level.collect());
      last.sort(Comparator.comparingInt(t -> t._1().index()));
      GradientSum total = new GradientSum();
      long bytes = 0;
      for (Tuple2<Node, GradientSum> t : last) {
        total.merge(t._2());
        bytes += gradientBytes(t._2());
      }
      return new Reduced(total, bytes, last.size());
    }
    // Each shard's last level is merged where it lands; the driver pulls one shard at a time.
    JavaPairRDD<Integer, GradientSum> perShard = level
        .mapToPair(t -> new Tuple2<>(t._1().shard(), new Tuple2<>(t._1().index(), t._2())))
        .groupByKey(new HashPartitioner(shards))
        .mapValues(OrderedTreeReduce::mergeInOrder);
    List<GradientSum> parts = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      parts.add(null);
    }
    long bytes = 0;
    Iterator<Tuple2<Integer, GradientSum>> it = perShard.toLocalIterator();
    while (it.hasNext()) {
      Tuple2<Integer, GradientSum> t = it.next();
      parts.set(t._1(), t._2());
      bytes += gradientBytes(t._2());
    }
    return new Reduced(GradientSum.assemble(inFeatures, outFeatures, bounds, parts), bytes,
        shards);
  }

  /** Column ranges for {@code shards} shards of k columns, as even as integers allow. */
  public static int[] shardBounds(int outFeatures, int shards) {
    int count = Math.max(1, Math.min(shards, outFeatures));
    int[] bounds = new int[count + 1];
    for (int s = 0; s <= count; s++) {
      bounds[s] = (int) ((long) outFeatures * s / count);
    }
    return bounds;
  }

  private static long gradientBytes(GradientSum sum) {
    return sum.value() == null ? 0
        : 8L * ((long) sum.value().dw().length + sum.value().db().length);
  }

  /** Merges one node's inputs in index order into a new sum. */
  private static GradientSum mergeInOrder(Iterable<Tuple2<Integer, GradientSum>> members) {
    List<Tuple2<Integer, GradientSum>> sorted = new ArrayList<>();
    members.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(Tuple2::_1));
    GradientSum sum = new GradientSum();
    for (Tuple2<Integer, GradientSum> m : sorted) {
      sum.merge(m._2());
    }
    return sum;
  }

  /** Node (shard s, index i) of a level with {@code groups} nodes per shard: partition s·groups + i. */
  static final class NodePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int groups;
    private final int shards;

    NodePartitioner(int groups, int shards) {
      this.groups = groups;
      this.shards = shards;
    }

    @Override
    public int numPartitions() {
      return groups * shards;
    }

    @Override
    public int getPartition(Object key) {
      Node node = (Node) key;
      return node.shard() * groups + node.index();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof NodePartitioner p && p.groups == groups && p.shards == shards;
    }

    @Override
    public int hashCode() {
      return 31 * groups + shards;
    }
  }
}
