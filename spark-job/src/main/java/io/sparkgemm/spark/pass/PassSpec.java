package io.sparkgemm.spark.pass;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
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
 *     the default (64 MiB); only a one-layer network's dW is sharded
 * @param softmax the kept Y holds softmax(Y) row by row (probabilities instead of logits),
 *     computed in float64 with the row's max subtracted and written in the pass's dtype
 */
public record PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
    BackendOptions backend, int treeDepth, boolean discardOutputs, long shardThreshold,
    boolean softmax) implements Serializable {

  public PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
      BackendOptions backend, int treeDepth) {
    this(loss, inputGradient, keepOutput, dtype, backend, treeDepth, false, 0);
  }

  public PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
      BackendOptions backend, int treeDepth, boolean discardOutputs) {
    this(loss, inputGradient, keepOutput, dtype, backend, treeDepth, discardOutputs, 0);
  }

  public PassSpec(Loss loss, boolean inputGradient, boolean keepOutput, DType dtype,
      BackendOptions backend, int treeDepth, boolean discardOutputs, long shardThreshold) {
    this(loss, inputGradient, keepOutput, dtype, backend, treeDepth, discardOutputs,
        shardThreshold, false);
  }

  /** This spec with another shard threshold. */
  public PassSpec withShardThreshold(long bytes) {
    return new PassSpec(loss, inputGradient, keepOutput, dtype, backend, treeDepth,
        discardOutputs, bytes, softmax);
  }

  /** This spec keeping softmax(Y) (true) or Y (false) as the Y output. */
  public PassSpec withSoftmax(boolean value) {
    return new PassSpec(loss, inputGradient, keepOutput, dtype, backend, treeDepth,
        discardOutputs, shardThreshold, value);
  }

  public PassSpec {
    if (treeDepth < 0) {
      throw new BadParameterException(param("treeDepth"), " must be >= 1 (or 0 to choose), got ",
          treeDepth);
    }
    if (shardThreshold < 0) {
      throw new BadParameterException(param("shardThreshold"), " must be > 0 bytes, got ",
          shardThreshold);
    }
    if (loss == null && inputGradient) {
      throw new IllegalArgumentException("The input gradient needs a loss or a supplied G");
    }
    if (softmax && !keepOutput) {
      throw new BadParameterException(param("softmax"), " replaces the kept Y by its row-wise "
          + "softmax, so it needs ", param("keepOutput"), " (the pass keeps no Y)");
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
      return "spark-gemm forward: Y = X W + b" + (softmax ? ", softmax(Y)" : "");
    }
    return "spark-gemm backward (" + loss.label() + "): Y, G, dW = XᵀG, db = 1ᵀG"
        + (inputGradient ? ", dX = G Wᵀ" : "");
  }
}
