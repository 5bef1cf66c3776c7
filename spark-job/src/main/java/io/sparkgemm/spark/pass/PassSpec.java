package io.sparkgemm.spark.pass;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.reduce.TreeDepth;
import java.io.Serializable;

/**
 * What one fused pass computes: a forward pass (Y = net(X)) or a backward pass (Y, the loss
 * head's G, every layer's dW and db, and with {@code inputGradient} dX). Build one with
 * {@link #forward()} or {@link #backward(Loss)}; every default is the builder's, and the
 * builder's {@code build()} refuses what the kind does not do, naming the parameter.
 */
public final class PassSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What a pass computes. */
  public enum Kind {
    /** Y only: no loss, no gradients, nothing reduced. */
    FORWARD,
    /** Y, G from the loss head (or a supplied G), dW and db reduced, dX on request. */
    BACKWARD
  }

  /** The default tree depth, as {@code --tree-depth} shows it: 0 chooses. */
  public static final String TREE_DEPTH = "0";
  /**
   * The default gradient bytes above which dW is reduced in column shards, in Spark's size
   * notation as {@code --shard-threshold} shows it.
   */
  public static final String SHARD_THRESHOLD = "64m";
  /** {@link #SHARD_THRESHOLD} in bytes. */
  public static final long SHARD_THRESHOLD_BYTES = TreeDepth.DEFAULT_SHARD_THRESHOLD;

  private final Kind kind;
  private final Loss loss;
  private final boolean inputGradient;
  private final boolean keepOutput;
  private final DType dtype;
  private final BackendOptions backend;
  private final int treeDepth;
  private final boolean discardOutputs;
  private final long shardThreshold;
  private final boolean softmax;

  private PassSpec(Builder b) {
    if (b.treeDepth < 0) {
      throw new BadParameterException(param("treeDepth"), " must be >= 1 (or 0 to choose), got ",
          b.treeDepth);
    }
    if (b.shardThreshold < 1) {
      throw new BadParameterException(param("shardThreshold"), " must be > 0 bytes, got ",
          b.shardThreshold);
    }
    if (b.kind == Kind.BACKWARD && b.loss == null) {
      throw new IllegalArgumentException("A backward pass needs a loss head (or Loss.SUPPLIED)");
    }
    if (b.kind == Kind.FORWARD) {
      refuseOnForward(b.inputGradient, "inputGradient", "dX = G Wᵀ needs a loss or a supplied G");
      refuseOnForward(b.treeDepth != 0, "treeDepth", "nothing is reduced");
      refuseOnForward(b.shardThreshold != SHARD_THRESHOLD_BYTES, "shardThreshold",
          "nothing is reduced");
    }
    if (b.softmax && !b.keepOutput) {
      throw new BadParameterException(param("softmax"), " replaces the kept Y by its row-wise "
          + "softmax, so it needs ", param("keepOutput"), " (the pass keeps no Y)");
    }
    this.kind = b.kind;
    this.loss = b.loss;
    this.inputGradient = b.inputGradient;
    this.keepOutput = b.keepOutput;
    this.dtype = b.dtype;
    this.backend = b.backend;
    this.treeDepth = b.treeDepth;
    this.discardOutputs = b.discardOutputs;
    this.shardThreshold = b.shardThreshold;
    this.softmax = b.softmax;
  }

  private static void refuseOnForward(boolean set, String parameter, String why) {
    if (set) {
      throw new BadParameterException(param(parameter), " is for a backward pass; a forward "
          + "pass computes Y only (" + why + ")");
    }
  }

  /**
   * A forward pass: Y = net(X), kept for writing ({@code keepOutput}) unless said otherwise;
   * float64, the default backend.
   */
  public static Builder forward() {
    return new Builder(Kind.FORWARD, null).keepOutput(true);
  }

  /**
   * A backward pass through the loss head {@code loss} ({@link Loss#SUPPLIED}: a supplied G):
   * dW and db only (no dX, no Y kept), float64, the default backend, the tree depth chosen and
   * dW sharded above {@link #SHARD_THRESHOLD}.
   */
  public static Builder backward(Loss loss) {
    return new Builder(Kind.BACKWARD, loss);
  }

  /** A builder holding this spec's settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder(kind, loss).inputGradient(inputGradient).keepOutput(keepOutput)
        .dtype(dtype).backend(backend).treeDepth(treeDepth).discardOutputs(discardOutputs)
        .shardThreshold(shardThreshold).softmax(softmax);
  }

  /** Named settings for {@link PassSpec}; {@link #build()} checks them. */
  public static final class Builder {
    private final Kind kind;
    private final Loss loss;
    private boolean inputGradient;
    private boolean keepOutput;
    private DType dtype = DType.FLOAT64;
    private BackendOptions backend = BackendOptions.defaults();
    private int treeDepth = Integer.parseInt(TREE_DEPTH);
    private boolean discardOutputs;
    private long shardThreshold = SHARD_THRESHOLD_BYTES;
    private boolean softmax;

    private Builder(Kind kind, Loss loss) {
      this.kind = kind;
      this.loss = loss;
    }

    /** Also compute dX = G Wᵀ, kept for writing (backward passes). */
    public Builder inputGradient(boolean value) {
      inputGradient = value;
      return this;
    }

    /** Keep Y for writing. */
    public Builder keepOutput(boolean value) {
      keepOutput = value;
      return this;
    }

    public Builder dtype(DType value) {
      dtype = value;
      return this;
    }

    public Builder backend(BackendOptions value) {
      backend = value;
      return this;
    }

    /** Depth of the gradient tree reduction (backward passes), or 0 to choose it. */
    public Builder treeDepth(int value) {
      treeDepth = value;
      return this;
    }

    /**
     * Compute Y and dX but keep neither (benchmarks: the pass's full work without holding
     * n x d results).
     */
    public Builder discardOutputs(boolean value) {
      discardOutputs = value;
      return this;
    }

    /**
     * Gradient bytes above which dW is reduced in column shards (backward passes); only a
     * one-layer network's dW is sharded.
     */
    public Builder shardThreshold(long bytes) {
      shardThreshold = bytes;
      return this;
    }

    /**
     * The kept Y holds softmax(Y) row by row (probabilities instead of logits), computed in
     * float64 with the row's max subtracted and written in the pass's dtype.
     */
    public Builder softmax(boolean value) {
      softmax = value;
      return this;
    }

    public PassSpec build() {
      return new PassSpec(this);
    }
  }

  public Kind kind() {
    return kind;
  }

  /** Whether this is a backward pass (a loss head, gradients). */
  public boolean backward() {
    return kind == Kind.BACKWARD;
  }

  /** Whether this is a forward pass (Y only). */
  public boolean isForward() {
    return kind == Kind.FORWARD;
  }

  /**
   * The loss head of a backward pass; null for a forward pass, which has none (so that
   * {@code loss() == Loss.SUPPLIED} reads the same for both kinds).
   */
  public Loss loss() {
    return loss;
  }

  public boolean inputGradient() {
    return inputGradient;
  }

  public boolean keepOutput() {
    return keepOutput;
  }

  public DType dtype() {
    return dtype;
  }

  public BackendOptions backend() {
    return backend;
  }

  public int treeDepth() {
    return treeDepth;
  }

  public boolean discardOutputs() {
    return discardOutputs;
  }

  public long shardThreshold() {
    return shardThreshold;
  }

  public boolean softmax() {
    return softmax;
  }

  /** Whether Y or dX blocks are kept for writing. */
  public boolean keepsOutputs() {
    return !discardOutputs && (keepOutput || inputGradient);
  }

  /** Job description shown in the Spark UI and progress bar. */
  public String describe() {
    if (!backward()) {
      return "spark-gemm forward: Y = X W + b" + (softmax ? ", softmax(Y)" : "");
    }
    return "spark-gemm backward (" + loss.label() + "): Y, G, dW = XᵀG, db = 1ᵀG"
        + (inputGradient ? ", dX = G Wᵀ" : "");
  }

  @Override
  public String toString() {
    return "PassSpec[" + kind + (loss == null ? "" : " " + loss.label()) + ", inputGradient="
        + inputGradient + ", keepOutput=" + keepOutput + ", " + dtype.label() + ", treeDepth="
        + treeDepth + ", discardOutputs=" + discardOutputs + ", shardThreshold="
        + shardThreshold + ", softmax=" + softmax + "]";
  }
}
