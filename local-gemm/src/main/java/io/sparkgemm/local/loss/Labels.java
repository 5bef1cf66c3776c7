package io.sparkgemm.local.loss;

import io.sparkgemm.local.DenseBlock;

/**
 * What a loss head needs besides y, for one block: regression targets (n x k), integer class
 * labels (n), or a supplied upstream gradient (n x k). Rows are aligned with the block's rows.
 */
public final class Labels {
  private final DenseBlock targets;
  private final int[] classes;
  private final DenseBlock gradient;

  private Labels(DenseBlock targets, int[] classes, DenseBlock gradient) {
    this.targets = targets;
    this.classes = classes;
    this.gradient = gradient;
  }

  public static Labels targets(DenseBlock targets) {
    return new Labels(targets, null, null);
  }

  public static Labels classes(int[] classes) {
    return new Labels(null, classes, null);
  }

  public static Labels gradient(DenseBlock g) {
    return new Labels(null, null, g);
  }

  DenseBlock requireTargets(String head, DenseBlock y) {
    if (targets == null) {
      throw new IllegalArgumentException("Loss '" + head + "' needs targets (n x k values); "
          + "none were given");
    }
    if (targets.numRows() != y.numRows() || targets.numCols() != y.numCols()) {
      throw new IllegalArgumentException("Loss '" + head + "': targets are " + targets.shape()
          + " but y is " + y.shape() + " (they must match)");
    }
    return targets;
  }

  int[] requireClasses(String head, DenseBlock y) {
    if (classes == null) {
      throw new IllegalArgumentException("Loss '" + head + "' needs integer class labels; "
          + "none were given");
    }
    if (classes.length != y.numRows()) {
      throw new IllegalArgumentException("Loss '" + head + "': " + classes.length
          + " labels for " + y.numRows() + " rows of y");
    }
    return classes;
  }

  DenseBlock requireGradient(DenseBlock y) {
    if (gradient == null) {
      throw new IllegalArgumentException("No upstream gradient was supplied");
    }
    if (gradient.numRows() != y.numRows() || gradient.numCols() != y.numCols()) {
      throw new IllegalArgumentException("Upstream gradient g is " + gradient.shape()
          + " but y is " + y.shape() + " (g = dL/dY must have y's shape)");
    }
    return gradient;
  }
}
