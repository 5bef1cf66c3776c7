package io.sparkgemm.spark.block;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.loss.Labels;
import java.io.Serializable;

/**
 * One cached block of X rows (with their row ids) and, row-aligned with them, what the loss head
 * needs: regression targets (float64, rows x k), class labels, or a supplied upstream gradient
 * (rows x k). At most one of the three is present.
 */
public final class LabeledBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final DenseBlock x;
  private final DenseBlock targets;
  private final int[] classes;
  private final DenseBlock upstream;

  public LabeledBlock(DenseBlock x, DenseBlock targets, int[] classes, DenseBlock upstream) {
    if (!x.hasRowIds()) {
      throw new IllegalArgumentException("A cached block needs row ids");
    }
    this.x = x;
    this.targets = targets;
    this.classes = classes;
    this.upstream = upstream;
  }

  public DenseBlock x() {
    return x;
  }

  /** Class ids, one per row, or null when the block carries none. */
  public int[] classes() {
    return classes;
  }

  public DenseBlock upstream() {
    return upstream;
  }

  public int numRows() {
    return x.numRows();
  }

  /** Regression targets (rows x k, float64), or null when the block carries none. */
  public DenseBlock targets() {
    return targets;
  }

  /** The labels for the loss head, or null when the block carries none. */
  public Labels labels() {
    if (targets != null) {
      return Labels.targets(targets);
    }
    if (classes != null) {
      return Labels.classes(classes);
    }
    if (upstream != null) {
      return Labels.gradient(upstream);
    }
    return null;
  }

  /** Bytes held by the arrays of this block, for the cache-size report. */
  public long payloadBytes() {
    long bytes = (long) x.numRows() * x.numCols() * x.dtype().bytes() + 8L * x.numRows();
    if (targets != null) {
      bytes += 8L * targets.numRows() * targets.numCols();
    }
    if (classes != null) {
      bytes += 4L * classes.length;
    }
    if (upstream != null) {
      bytes += (long) upstream.numRows() * upstream.numCols() * upstream.dtype().bytes();
    }
    return bytes;
  }
}
