package io.sparkgemm.spark.block;

import org.apache.spark.api.java.JavaRDD;

/**
 * X as cached dense row blocks, ready for passes.
 *
 * @param blocks the cached blocks (materialised: every row was read and checked)
 * @param numRows n, the global row count
 * @param numFeatures d
 * @param labelWidth k of the targets or upstream gradient, 1 for class labels, 0 for none
 * @param blockRows the rows-per-block setting used
 * @param numBlocks blocks in all
 * @param payloadBytes bytes of the blocks' arrays (X, ids, labels)
 * @param npy whether X came from a .npy file (row-shaped outputs are then .npy too)
 * @param seconds time to read, block and cache
 * @param chunkRows with --deterministic, the row ids per chunk (a fixed number of blocks summed
 *     by one task); 0 otherwise
 * @param chunkIds with --deterministic, the sorted chunk indices in use (a chunk's leaf index in
 *     the reduction tree is its place here); empty otherwise
 * @param cache how the blocks are stored and where they are
 */
public record BlockedInput(JavaRDD<LabeledBlock> blocks, long numRows, int numFeatures,
    int labelWidth, int blockRows, long numBlocks, long payloadBytes, boolean npy,
    double seconds, long chunkRows, long[] chunkIds, CacheLevels.Placement cache) {

  /** Leaves of the reduction tree with --deterministic: the chunks. */
  public int numChunks() {
    return chunkIds.length;
  }

  public int numPartitions() {
    return blocks.getNumPartitions();
  }

  /** Releases the cached blocks. */
  public void release() {
    blocks.unpersist(false);
  }
}
