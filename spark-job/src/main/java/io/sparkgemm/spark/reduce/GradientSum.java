package io.sparkgemm.spark.reduce;

import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Node;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Reduced;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
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
 * The buffer of the pass's ordered tree reduction: a network's gradient sums (every layer's dW
 * and db, the loss, the rows; one layer for the linear model) plus the partitions' bookkeeping
 * (backends used, task seconds, ||dX||²). Its zero value is empty, so the closure ships no
 * gradient-sized array: the float64 sums are allocated on the executor when the first partition
 * result arrives. Merges copy, never alias, so cached partition results are not modified.
 *
 * <p>Column shards (ranges of dW's columns reduced separately) exist for the one-layer network
 * only, whose dW can be large; a deeper network's flat gradient is reduced whole.
 */
public final class GradientSum implements Mergeable<GradientSum> {
  private static final long serialVersionUID = 1L;

  /** Serialized in bulk ({@link #writeObject}). */
  private transient NetworkGradient sum;
  private final TreeSet<String> backends = new TreeSet<>();
  private double seconds;
  private double dxSquares;

  /**
   * Every layer's sums (dW, db, and on the top layer the loss and rows; the linear layer's are
   * {@code gradient().layer(0)}), or null while empty.
   */
  public NetworkGradient gradient() {
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
   *     {@code {0, k}} for no sharding (the only choice for a network of several layers)
   */
  public static Reduced<GradientSum> reduce(JavaRDD<PartitionResult> partials, int leaves,
      int depth, int[] bounds, int inFeatures) {
    int shards = bounds.length - 1;
    JavaPairRDD<Node, GradientSum> split = partials.flatMapToPair(part -> {
      List<Tuple2<Node, GradientSum>> out = new ArrayList<>(shards);
      if (part.outputsOnly()) {
        return out.iterator();
      }
      if (shards == 1) {
        out.add(new Tuple2<>(new Node(0, part.leaf()), leaf(part)));
        return out.iterator();
      }
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

  /** A leaf of the reduction tree: one partition result's whole gradient (not copied). */
  static GradientSum leaf(PartitionResult part) {
    GradientSum leaf = new GradientSum();
    leaf.sum = part.gradients();
    leaf.addBookkeeping(part);
    return leaf;
  }

  /**
   * A leaf of the reduction tree: columns {@code [from, to)} of one partition result's one-layer
   * gradient. Only the shard starting at column 0 carries the bookkeeping (backends, seconds,
   * ||dX||²).
   */
  static GradientSum leaf(PartitionResult part, int from, int to) {
    GradientSum leaf = new GradientSum();
    NetworkGradient whole = part.gradients();
    if (whole != null) {
      if (whole.network().numLayers() != 1) {
        throw new IllegalArgumentException("Column shards split one layer's dW, but the "
            + "gradient is a " + whole.network().describe() + " network's");
      }
      GradientAccumulator g = whole.layer(0);
      leaf.sum = from == 0 && to == g.outFeatures() ? whole
          : PartitionResult.linear(g.columns(from, to));
    }
    if (from == 0) {
      leaf.addBookkeeping(part);
    }
    return leaf;
  }

  private void addBookkeeping(PartitionResult part) {
    if (part.backend() != null) {
      backends.add(part.backend());
    }
    seconds += part.seconds();
    dxSquares += part.dxSquares();
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
    whole.sum = new NetworkGradient(Network.linear(inFeatures, outFeatures));
    GradientAccumulator sums = whole.sum.layer(0);
    sums.addLoss(first.sum.loss(), first.sum.numRows());
    for (int s = 0; s < shards.size(); s++) {
      sums.setColumns(bounds[s], shards.get(s).sum.layer(0));
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

  /** 8 bytes per value of every layer's dW and db; 0 while empty. */
  @Override
  public long sizeBytes() {
    if (sum == null) {
      return 0;
    }
    long values = 0;
    for (int l = 0; l < sum.network().numLayers(); l++) {
      values += (long) sum.layer(l).dw().length + sum.layer(l).db().length;
    }
    return 8L * values;
  }

  /** The bookkeeping, then the network and every layer's sums in bulk ({@link BulkValues}). */
  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    out.writeObject(sum == null ? null : sum.network());
    if (sum != null) {
      for (int l = 0; l < sum.network().numLayers(); l++) {
        GradientAccumulator layer = sum.layer(l);
        BulkValues.write(out, layer.dw());
        BulkValues.write(out, layer.db());
        out.writeDouble(layer.loss());
        out.writeLong(layer.numRows());
      }
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    Network network = (Network) in.readObject();
    if (network != null) {
      sum = new NetworkGradient(network);
      for (int l = 0; l < network.numLayers(); l++) {
        GradientAccumulator layer = sum.layer(l);
        BulkValues.read(in, layer.dw());
        BulkValues.read(in, layer.db());
        layer.addLoss(in.readDouble(), in.readLong());
      }
    }
  }

  private void addGradients(NetworkGradient part) {
    if (part != null) {
      if (sum == null) {
        sum = new NetworkGradient(part.network());
      }
      sum.merge(part);
    }
  }
}
