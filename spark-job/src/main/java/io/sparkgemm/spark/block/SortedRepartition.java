package io.sparkgemm.spark.block;

import java.io.Serializable;
import java.util.Comparator;
import java.util.Iterator;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Blocks moved into {@code partitions} partitions, each partition's blocks in the order of their
 * first row id. A pass streams a partition's blocks and sums them in the order they come, so that
 * order must not depend on which shuffle output arrived first: Spark's own
 * {@code repartition} hands them over in arrival order, which a recomputation after a lost
 * executor may change. Here Spark's shuffle sorts them (spilling to disk when a partition does
 * not fit in memory). Block j of source partition i goes to partition (i + j) mod partitions,
 * round robin as Spark's {@code repartition} deals them, but fixed.
 */
public final class SortedRepartition {
  private SortedRepartition() {
  }

  public static JavaRDD<LabeledBlock> of(JavaRDD<LabeledBlock> blocks, int partitions) {
    JavaRDD<Tuple2<Placed, LabeledBlock>> placed = blocks.mapPartitionsWithIndex(
        (source, it) -> new Placing(source, partitions, it), false);
    return JavaPairRDD.fromJavaRDD(placed)
        .repartitionAndSortWithinPartitions(new Target(partitions), new ByFirstRowId())
        .values();
  }

  /** Where a block goes, and what orders it there (its first row id, then where it came from). */
  record Placed(long firstRowId, int source, long position, int target) implements Serializable {
  }

  /** A source partition's blocks, keyed lazily as they come. */
  private static final class Placing implements Iterator<Tuple2<Placed, LabeledBlock>> {
    private final int source;
    private final int partitions;
    private final Iterator<LabeledBlock> blocks;
    private long position;

    Placing(int source, int partitions, Iterator<LabeledBlock> blocks) {
      this.source = source;
      this.partitions = partitions;
      this.blocks = blocks;
    }

    @Override
    public boolean hasNext() {
      return blocks.hasNext();
    }

    @Override
    public Tuple2<Placed, LabeledBlock> next() {
      LabeledBlock block = blocks.next();
      int target = (int) Math.floorMod(source + position, (long) partitions);
      Placed key = new Placed(block.x().rowId(0), source, position++, target);
      return new Tuple2<>(key, block);
    }
  }

  static final class Target extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    Target(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return ((Placed) key).target();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Target t && t.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }

  static final class ByFirstRowId implements Comparator<Placed>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Placed a, Placed b) {
      int c = Long.compare(a.firstRowId(), b.firstRowId());
      if (c == 0) {
        c = Integer.compare(a.source(), b.source());
      }
      return c != 0 ? c : Long.compare(a.position(), b.position());
    }
  }
}
