package io.sparkgemm.spark.block;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Which leaf of the reduction tree sums a block. Without --deterministic a partition's blocks are
 * one leaf, the partition index; with it, each chunk of {@code rows} row ids is one leaf, its
 * place among the chunk indices in use, so a chunk's blocks are summed together and in the same
 * order whichever partition holds them ({@link Deterministic}).
 *
 * @param rows row ids per chunk, or 0 without --deterministic
 * @param ids the sorted chunk indices in use (empty without --deterministic)
 */
public record Chunks(long rows, long[] ids) implements Serializable {
  /** Without --deterministic: leaves are partitions. */
  public static final Chunks NONE = new Chunks(0, new long[0]);

  public Chunks {
    if (rows < 0 || (rows == 0 && ids.length > 0)) {
      throw new IllegalArgumentException("Chunks of " + rows + " row ids cannot have "
          + ids.length + " chunk indices");
    }
  }

  /** Whether blocks are summed by chunk (--deterministic). */
  public boolean enabled() {
    return rows > 0;
  }

  /** The number of leaves: the chunks in use, or the partitions. */
  public int leaves(int partitions) {
    return enabled() ? ids.length : partitions;
  }

  /** The leaf of a block whose first row id is {@code firstRowId}, held by {@code partition}. */
  public int leafOf(long firstRowId, int partition) {
    return enabled() ? Arrays.binarySearch(ids, Deterministic.chunkOf(firstRowId, rows))
        : partition;
  }
}
