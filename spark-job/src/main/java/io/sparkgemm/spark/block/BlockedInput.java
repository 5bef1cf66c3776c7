package io.sparkgemm.spark.block;

import org.apache.spark.api.java.JavaRDD;

/**
 * X as cached dense row blocks, ready for passes. Made with {@link #builder}, so a call site
 * names every value.
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
 * @param chunks with --deterministic, the chunks that are the reduction tree's leaves;
 *     {@link Chunks#NONE} otherwise
 * @param cache how the blocks are stored and where they are
 */
public record BlockedInput(JavaRDD<LabeledBlock> blocks, long numRows, int numFeatures,
    int labelWidth, int blockRows, long numBlocks, long payloadBytes, boolean npy,
    double seconds, Chunks chunks, CacheLevels.Placement cache) {

  /** A builder for the cached {@code blocks}: the rest defaults to 0, false or none. */
  public static Builder builder(JavaRDD<LabeledBlock> blocks) {
    return new Builder(blocks);
  }

  /** With --deterministic, the row ids per chunk; 0 otherwise. */
  public long chunkRows() {
    return chunks.rows();
  }

  /** With --deterministic, the sorted chunk indices in use; empty otherwise. */
  public long[] chunkIds() {
    return chunks.ids();
  }

  /** Leaves of the reduction tree with --deterministic: the chunks. */
  public int numChunks() {
    return chunks.ids().length;
  }

  /** Leaves of the reduction tree: the chunks with --deterministic, else the partitions. */
  public int numLeaves() {
    return chunks.leaves(numPartitions());
  }

  public int numPartitions() {
    return blocks.getNumPartitions();
  }

  /** Releases the cached blocks. */
  public void release() {
    blocks.unpersist(false);
  }

  /** Names each value of a {@link BlockedInput}. */
  public static final class Builder {
    private final JavaRDD<LabeledBlock> blocks;
    private long numRows;
    private int numFeatures;
    private int labelWidth;
    private int blockRows;
    private long numBlocks;
    private long payloadBytes;
    private boolean npy;
    private double seconds;
    private Chunks chunks = Chunks.NONE;
    private CacheLevels.Placement cache;

    private Builder(JavaRDD<LabeledBlock> blocks) {
      this.blocks = blocks;
    }

    /** n x d: rows and features of X. */
    public Builder shape(long numRows, int numFeatures) {
      this.numRows = numRows;
      this.numFeatures = numFeatures;
      return this;
    }

    public Builder labelWidth(int labelWidth) {
      this.labelWidth = labelWidth;
      return this;
    }

    /** The rows-per-block setting and the blocks made with it. */
    public Builder blocking(int blockRows, long numBlocks) {
      this.blockRows = blockRows;
      this.numBlocks = numBlocks;
      return this;
    }

    public Builder payloadBytes(long payloadBytes) {
      this.payloadBytes = payloadBytes;
      return this;
    }

    public Builder npy(boolean npy) {
      this.npy = npy;
      return this;
    }

    public Builder seconds(double seconds) {
      this.seconds = seconds;
      return this;
    }

    public Builder chunks(Chunks chunks) {
      this.chunks = chunks;
      return this;
    }

    public Builder cache(CacheLevels.Placement cache) {
      this.cache = cache;
      return this;
    }

    public BlockedInput build() {
      return new BlockedInput(blocks, numRows, numFeatures, labelWidth, blockRows, numBlocks,
          payloadBytes, npy, seconds, chunks, cache);
    }
  }
}
