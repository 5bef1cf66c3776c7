package io.sparkgemm.spark.block;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * {@code --deterministic}: blocks whose bounds depend on row ids only, and chunks of
 * {@link #BLOCKS_PER_CHUNK} consecutive blocks that one task always sums together.
 *
 * <p>Block j holds the rows with ids in [j·B, (j+1)·B), in id order. Input partitions are cut at
 * those bounds (a block split across two input partitions arrives as two fragments); fragments are
 * sent, keyed by block index, to the partition of their chunk, sorted there by block index by
 * Spark's shuffle (which spills to disk when a partition does not fit in memory), and the fragments
 * of a block are merged in id order as they stream by. The pass then sums each chunk's blocks in
 * block order into its own accumulator, and the chunks are reduced in a tree by chunk index. None
 * of it depends on how many partitions there are or which task runs where.
 */
public final class Deterministic {
  /** Blocks per chunk with --deterministic: the unit one task sums, in row-id order. */
  public static final int BLOCKS_PER_CHUNK = 16;

  private Deterministic() {
  }

  public static JavaRDD<LabeledBlock> arrange(JavaRDD<LabeledBlock> fragments, int blockRows,
      int partitions) {
    return fragments
        .mapToPair(b -> new Tuple2<>(Math.floorDiv(b.x().rowId(0), (long) blockRows), b))
        .repartitionAndSortWithinPartitions(new ChunkPartitioner(partitions, BLOCKS_PER_CHUNK))
        .mapPartitions(Merged::new, true);
  }

  /** The chunk of a block starting at row id {@code firstId}. */
  public static long chunkOf(long firstId, long chunkRows) {
    return Math.floorDiv(firstId, chunkRows);
  }

  /** Sorted (block index, fragment) pairs as whole blocks: a block's fragments are adjacent. */
  private static final class Merged implements Iterator<LabeledBlock> {
    private final Iterator<Tuple2<Long, LabeledBlock>> pieces;
    private Tuple2<Long, LabeledBlock> pending;

    Merged(Iterator<Tuple2<Long, LabeledBlock>> pieces) {
      this.pieces = pieces;
      this.pending = pieces.hasNext() ? pieces.next() : null;
    }

    @Override
    public boolean hasNext() {
      return pending != null;
    }

    @Override
    public LabeledBlock next() {
      if (pending == null) {
        throw new NoSuchElementException();
      }
      long index = pending._1();
      List<LabeledBlock> parts = new ArrayList<>();
      parts.add(pending._2());
      pending = null;
      while (pieces.hasNext()) {
        Tuple2<Long, LabeledBlock> piece = pieces.next();
        if (piece._1() != index) {
          pending = piece;
          break;
        }
        parts.add(piece._2());
      }
      return parts.size() == 1 && increasing(parts.get(0).x().rowIds()) ? parts.get(0)
          : concatById(parts);
    }
  }

  private static boolean increasing(long[] ids) {
    for (int i = 1; i < ids.length; i++) {
      if (ids[i] <= ids[i - 1]) {
        return false;
      }
    }
    return true;
  }

  /** The rows of several fragments of one block as one block, in id order; ids must be unique. */
  static LabeledBlock concatById(List<LabeledBlock> parts) {
    // (fragment, row) pairs sorted by id
    List<int[]> order = new ArrayList<>();
    for (int f = 0; f < parts.size(); f++) {
      for (int r = 0; r < parts.get(f).numRows(); r++) {
        order.add(new int[] {f, r});
      }
    }
    order.sort(Comparator.comparingLong(p -> parts.get(p[0]).x().rowId(p[1])));
    long[] ids = new long[order.size()];
    for (int i = 0; i < ids.length; i++) {
      int[] p = order.get(i);
      ids[i] = parts.get(p[0]).x().rowId(p[1]);
      if (i > 0 && ids[i] == ids[i - 1]) {
        throw new IllegalArgumentException("Row id " + ids[i] + " appears more than once in X "
            + "(ids must be unique)");
      }
    }
    LabeledBlock first = parts.get(0);
    DenseBlock x = gather(parts, order, LabeledBlock::x).withRowIds(ids);
    DenseBlock targets = first.targets() == null ? null
        : gather(parts, order, LabeledBlock::targets);
    DenseBlock upstream = first.upstream() == null ? null
        : gather(parts, order, LabeledBlock::upstream);
    int[] classes = null;
    if (first.classes() != null) {
      classes = new int[order.size()];
      for (int i = 0; i < classes.length; i++) {
        int[] p = order.get(i);
        classes[i] = parts.get(p[0]).classes()[p[1]];
      }
    }
    return new LabeledBlock(x, targets, classes, upstream);
  }

  private static DenseBlock gather(List<LabeledBlock> parts, List<int[]> order,
      Function<LabeledBlock, DenseBlock> part) {
    DenseBlock first = part.apply(parts.get(0));
    int cols = first.numCols();
    DenseBlock out = DenseBlock.zeros(first.dtype(), order.size(), cols);
    for (int i = 0; i < order.size(); i++) {
      int[] p = order.get(i);
      DenseBlock from = part.apply(parts.get(p[0]));
      if (first.dtype() == DType.FLOAT64) {
        System.arraycopy(from.doubles(), p[1] * cols, out.doubles(), i * cols, cols);
      } else {
        System.arraycopy(from.floats(), p[1] * cols, out.floats(), i * cols, cols);
      }
    }
    return out;
  }

  /** Block index → partition of its chunk (chunk mod partitions). */
  static final class ChunkPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final int blocksPerChunk;

    ChunkPartitioner(int partitions, int blocksPerChunk) {
      this.partitions = partitions;
      this.blocksPerChunk = blocksPerChunk;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      long chunk = Math.floorDiv((Long) key, (long) blocksPerChunk);
      return (int) Math.floorMod(chunk, (long) partitions);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ChunkPartitioner p && p.partitions == partitions
          && p.blocksPerChunk == blocksPerChunk;
    }

    @Override
    public int hashCode() {
      return 31 * partitions + blocksPerChunk;
    }
  }

  /** Sorted distinct chunk indices of the blocks: the leaves of the reduction tree. */
  public static long[] chunkIds(JavaRDD<LabeledBlock> blocks, long chunkRows) {
    List<Long> ids = blocks.map(b -> chunkOf(b.x().rowId(0), chunkRows)).distinct().collect();
    long[] sorted = ids.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return sorted;
  }
}
