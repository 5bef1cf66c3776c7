package io.sparkgemm.spark.reduce;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import scala.Tuple2;

/**
 * A tree reduction of {@link Mergeable} buffers whose every merge happens in leaf-index order, so
 * the same input and partitioning give the same bits, however tasks are scheduled, retried or
 * finish. Spark's {@code treeAggregate} has the same shape but merges shuffle inputs and, on the
 * driver, task results in arrival order, which changes float64 sums from run to run.
 *
 * <p>A leaf is a partition's result (or, with --deterministic, a chunk's). Level by level, leaf
 * or node i goes to node i / scale; a node's inputs are merged in index order, into a fresh
 * {@code zero}, on an executor. Unsharded, the last level is collected and merged, in index
 * order, on the driver. Sharded, each leaf comes as one buffer per shard (for the gradient: a
 * column range) and each shard runs through the same tree separately (a fixed partitioner per
 * level), its last level merged on an executor in the same order; the driver then receives each
 * shard once. Every shard sees the same additions in the same order either way, so sharding does
 * not change a bit. Buffers are created on executors: the closures carry only {@code zero}.
 */
public final class OrderedTreeReduce {
  private OrderedTreeReduce() {
  }

  /** A node of the tree: shard and index within its level (a leaf's index at the leaves). */
  public record Node(int shard, int index) implements Serializable {
  }

  /** A fresh empty buffer, made where a node is merged (executors and the driver). */
  @FunctionalInterface
  public interface Zero<B> extends Supplier<B>, Serializable {
  }

  /**
   * What came back, and how many bytes the driver received.
   *
   * @param shards the merged buffer of each shard, in shard order (one when unsharded)
   * @param finalNodes the buffers the driver received
   */
  public record Reduced<B>(List<B> shards, long bytesToDriver, int finalNodes) {

    /** The whole sum of an unsharded reduction. */
    public B sum() {
      if (shards.size() != 1) {
        throw new IllegalStateException("A reduction in " + shards.size() + " shards has no "
            + "single sum");
      }
      return shards.get(0);
    }
  }

  /** Unsharded: {@code leaves} keyed by leaf index, in {@code 0..count-1}. */
  public static <B extends Mergeable<B>> Reduced<B> reduceByIndex(JavaPairRDD<Integer, B> leaves,
      int count, int depth, Zero<B> zero) {
    return reduce(leaves.mapToPair(t -> new Tuple2<>(new Node(0, t._1()), t._2())), count, depth,
        1, zero);
  }

  /**
   * One buffer per partition of {@code rdd}, made there by {@code leaf} from the partition's
   * elements, reduced with the partition index as the leaf index: the same elements and
   * partitioning give the same bits, whichever task finishes first.
   *
   * @param depth the tree's depth, at least 1 (1: the driver merges the leaves)
   */
  public static <T, B extends Mergeable<B>> B reducePartitions(JavaRDD<T> rdd,
      Function<Iterator<T>, B> leaf, int depth, Zero<B> zero) {
    JavaPairRDD<Integer, B> leaves = JavaPairRDD.fromJavaRDD(rdd.mapPartitionsWithIndex(
        (index, elements) -> List.of(new Tuple2<>(index, leaf.call(elements))).iterator(), true));
    return reduceByIndex(leaves, rdd.getNumPartitions(), depth, zero).sum();
  }

  /**
   * @param leaves one buffer per leaf index (in {@code 0..count-1}) and shard (in
   *     {@code 0..shards-1}); indices without a buffer are skipped
   * @param depth the tree's depth, at least 1 (1: the driver merges the leaves)
   */
  public static <B extends Mergeable<B>> Reduced<B> reduce(JavaPairRDD<Node, B> leaves,
      int count, int depth, int shards, Zero<B> zero) {
    JavaPairRDD<Node, B> level = leaves;
    int scale = TreeDepth.scale(count, depth);
    while (depth > 1 && count > scale + (count + scale - 1) / scale) {
      int groups = (count + scale - 1) / scale;
      level = level.mapToPair(t -> new Tuple2<>(new Node(t._1().shard(), t._1().index() / scale),
              new Tuple2<>(t._1().index(), t._2())))
          .groupByKey(new NodePartitioner(groups, shards))
          .mapValues(members -> mergeInOrder(members, zero));
      count = groups;
    }
    if (shards == 1) {
      List<Tuple2<Integer, B>> last = new ArrayList<>();
      for (Tuple2<Node, B> t : level.collect()) {
        last.add(new Tuple2<>(t._1().index(), t._2()));
      }
      return onDriver(last, zero);
    }
    // Each shard's last level is merged where it lands; the driver pulls one shard at a time.
    JavaPairRDD<Integer, B> perShard = level
        .mapToPair(t -> new Tuple2<>(t._1().shard(), new Tuple2<>(t._1().index(), t._2())))
        .groupByKey(new HashPartitioner(shards))
        .mapValues(members -> mergeInOrder(members, zero));
    List<B> parts = new ArrayList<>(Collections.nCopies(shards, null));
    long bytes = 0;
    Iterator<Tuple2<Integer, B>> it = perShard.toLocalIterator();
    while (it.hasNext()) {
      Tuple2<Integer, B> t = it.next();
      parts.set(t._1(), t._2());
      bytes += t._2().sizeBytes();
    }
    for (int s = 0; s < shards; s++) {
      if (parts.get(s) == null) {
        parts.set(s, zero.get());
      }
    }
    return new Reduced<>(parts, bytes, shards);
  }

  /**
   * The last level of an unsharded reduction, received by the driver in partition order: merged
   * there in index order (ties keep their order) into a fresh {@code zero}.
   */
  static <B extends Mergeable<B>> Reduced<B> onDriver(List<Tuple2<Integer, B>> last,
      Zero<B> zero) {
    long bytes = 0;
    for (Tuple2<Integer, B> t : last) {
      bytes += t._2().sizeBytes();
    }
    return new Reduced<>(List.of(mergeInOrder(last, zero)), bytes, last.size());
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

  /** Merges one node's inputs in index order into a fresh buffer. */
  private static <B extends Mergeable<B>> B mergeInOrder(Iterable<Tuple2<Integer, B>> members,
      Zero<B> zero) {
    List<Tuple2<Integer, B>> sorted = new ArrayList<>();
    members.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(Tuple2::_1));
    B sum = zero.get();
    for (Tuple2<Integer, B> m : sorted) {
      sum.merge(m._2());
    }
    return sum;
  }

  /**
   * Node (shard s, index i) of a level with {@code groups} nodes per shard: partition
   * s·groups + i.
   */
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
