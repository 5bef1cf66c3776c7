package io.sparkgemm.spark.reduce;

import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Node;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Reduced;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The buffer of the pass's ordered tree reduction: gradient sums plus the partitions'
 * bookkeeping (backends used, task seconds, ||dX||²). Its zero value is empty, so the closure
 * ships no d x k array: the float64 sums are allocated on the executor when the first partition
 * result arrives. Merges copy, never alias, so cached partition results are not modified.
 */
public final class GradientSum implements Mergeable<GradientSum> {
  private static final long serialVersionUID = 1L;

  private GradientAccumulator sum;
  private final TreeSet<String> backends = new TreeSet<>();
  private double seconds;
  private double dxSquares;

  public GradientAccumulator value() {
    return sum;
  }

  public TreeSet<String> backends() {
    return backends;
  }

  public double seconds() {
    return seconds;
  }

  public double dxSquares() {
    return dxSquares;
  }

  /**
   * Reduces the partition results of a pass to dW, db, the loss and the bookkeeping, every merge
   * in leaf-index order ({@link OrderedTreeReduce}); the result has the one, whole sum.
   *
   * @param leaves the number of leaf indices (partitions, or chunks)
   * @param bounds column ranges of the shards: shard s holds [bounds[s], bounds[s + 1]);
   *     {@code {0, k}} for no sharding
   */
  public static Reduced<GradientSum> reduce(JavaRDD<PartitionResult> partials, int leaves,
      int depth, int[] bounds, int inFeatures) {
    int shards = bounds.length - 1;
    JavaPairRDD<Node, GradientSum> split = partials.flatMapToPair(part -> {
      List<Tuple2<Node, GradientSum>> out = new ArrayList<>(shards);
      for (int s = 0; s < shards; s++) {
        out.add(new Tuple2<>(new Node(s, part.leaf()), leaf(part, bounds[s], bounds[s + 1])));
      }
      return out.iterator();
    });
    Reduced<GradientSum> reduced = OrderedTreeReduce.reduce(split, leaves, depth, shards,
        GradientSum::new);
    if (shards == 1) {
      return reduced;
    }
    return new Reduced<>(List.of(assemble(inFeatures, bounds[shards], bounds, reduced.shards())),
        reduced.bytesToDriver(), reduced.finalNodes());
  }

  /**
   * The partition results that {@code pass} makes from each partition of {@code blocks}, reduced
   * as {@link #reduce} reduces them with depth 1 and no shards, bit for bit: every leaf sent to
   * the driver and merged there in leaf-index order. One job of one stage and no transformation:
   * Spark parses the class of each Scala closure it cleans (a transformation's, a collect's),
   * milliseconds a pass; this job's function is a plain class, which it does not parse.
   */
  public static <T> Reduced<GradientSum> collect(JavaRDD<T> blocks, PartitionPass<T> pass) {
    ClassTag<ArrayList<Tuple2<Integer, GradientSum>>> tag = ClassTag$.MODULE$.apply(
        ArrayList.class);
    Object[] perPartition = (Object[]) blocks.context().runJob(blocks.rdd(),
        new LeafSums<>(pass), tag);
    List<Tuple2<Integer, GradientSum>> last = new ArrayList<>();
    for (Object leaves : perPartition) {
      @SuppressWarnings("unchecked")
      List<Tuple2<Integer, GradientSum>> mine = (List<Tuple2<Integer, GradientSum>>) leaves;
      last.addAll(mine);
    }
    return OrderedTreeReduce.onDriver(last, GradientSum::new);
  }

  /** What a pass makes of one partition: its results, one per leaf. */
  @FunctionalInterface
  public interface PartitionPass<T> extends Serializable {
    Iterator<PartitionResult> run(int partition, Iterator<T> blocks);
  }

  /**
   * A leaf of the reduction tree: columns {@code [from, to)} of one partition result's gradient.
   * Only the shard starting at column 0 carries the bookkeeping (backends, seconds, ||dX||²).
   */
  static GradientSum leaf(PartitionResult part, int from, int to) {
    GradientSum leaf = new GradientSum();
    GradientAccumulator g = part.gradients();
    if (g != null) {
      leaf.sum = from == 0 && to == g.outFeatures() ? g : g.columns(from, to);
    }
    if (from == 0) {
      if (part.backend() != null) {
        leaf.backends.add(part.backend());
      }
      leaf.seconds = part.seconds();
      leaf.dxSquares = part.dxSquares();
    }
    return leaf;
  }

  /**
   * The whole gradient from its column shards (in column order), reduced separately; the loss,
   * row count and bookkeeping come from the first shard.
   */
  static GradientSum assemble(int inFeatures, int outFeatures, int[] bounds,
      List<GradientSum> shards) {
    GradientSum whole = new GradientSum();
    GradientSum first = shards.get(0);
    whole.backends.addAll(first.backends);
    whole.seconds = first.seconds;
    whole.dxSquares = first.dxSquares;
    if (first.sum == null) {
      return whole;
    }
    whole.sum = new GradientAccumulator(inFeatures, outFeatures);
    whole.sum.addLoss(first.sum.loss(), first.sum.numRows());
    for (int s = 0; s < shards.size(); s++) {
      whole.sum.setColumns(bounds[s], shards.get(s).sum);
    }
    return whole;
  }

  /** Adds one partition's result. Returns this. */
  GradientSum add(PartitionResult part) {
    addGradients(part.gradients());
    if (part.backend() != null) {
      backends.add(part.backend());
    }
    seconds += part.seconds();
    dxSquares += part.dxSquares();
    return this;
  }

  /** Adds another buffer. Returns this. */
  @Override
  public GradientSum merge(GradientSum other) {
    addGradients(other.sum);
    backends.addAll(other.backends);
    seconds += other.seconds;
    dxSquares += other.dxSquares;
    return this;
  }

  /** 8 bytes per value of dW and db; 0 while empty. */
  @Override
  public long sizeBytes() {
    return sum == null ? 0 : 8L * ((long) sum.dw().length + sum.db().length);
  }

  private void addGradients(GradientAccumulator part) {
    if (part != null) {
      if (sum == null) {
        sum = new GradientAccumulator(part.inFeatures(), part.outFeatures());
      }
      sum.merge(part);
    }
  }
}
