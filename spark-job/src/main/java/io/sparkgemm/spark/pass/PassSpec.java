package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import java.io.Serializable;

/**
 * What one fused pass computes.
 *
 * @param loss the loss head, or null for a forward-only pass
 * @param inputGradient also compute dX = G Wᵀ (kept for writing)
 * @param keepOutput keep Y for writing
 * @param treeDepth depth of the gradient tree reduction, or 0 to choose it
 * @param discardOutputs compute Y and dX but keep neither (benchmarks: the pass's full work
 *     without holding n x d results)
 * @param shardThreshold gradient bytes above which dW is reduced in column shards, or 0 for
 *     the default (64 MiB)
 */
public record PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
    BackendOptions backend, int treeDepth, boolean discardOutputs, long shardThreshold)
    implements Serializable {

  public PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
      BackendOptions backend, int treeDepth) {
    this(loss, inputGradient, keepOutput, dtype, backend, treeDepth, false, 0);
  }

  public PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
      BackendOptions backend, int treeDepth, boolean discardOutputs) {
    this(loss, inputGradient, keepOutput, dtype, backend, treeDepth, discardOutputs, 0);
  }

  /** This spec with another shard threshold. */
  public PassSpec withShardThreshold(long bytes) {
    return new PassSpec(loss, inputGradient, keepOutput, dtype, backend, treeDepth,
        discardOutputs, bytes);
  }

  public PassSpec {
    if (treeDepth < 0) {
      throw new IllegalArgumentException("treeDepth must be >= 1 (or 0 to choose), got "
          + treeDepth);
    }
    if (shardThreshold < 0) {
      throw new IllegalArgumentException("shardThreshold must be > 0 bytes, got "
          + shardThreshold);
    }
    if (loss == null && inputGradient) {
      throw new IllegalArgumentException("The input gradient needs a loss or a supplied G");
    }
  }

  /** Whether Y or dX blocks are kept for writing. */
  public boolean keepsOutputs() {
    return !discardOutputs && (keepOutput || inputGradient);
  }

  public boolean backward() {
    return loss != null;
  }

  /** Job description shown in the Spark UI and progress bar. */
  public String describe() {
    if (!backward()) {
      return "spark-gemm forward: Y = X W + b";
    }
    return "spark-gemm backward (" + loss.label() + "): Y, G, dW = XᵀG, db = 1ᵀG"
        + (inputGradient ? ", dX = G Wᵀ" : "");
  }
}
