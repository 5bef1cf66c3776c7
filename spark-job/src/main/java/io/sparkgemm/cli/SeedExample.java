package io.sparkgemm.cli;

import io.sparkgemm.local.DenseBlock;

/**
 * The worked example of the source document: a batch of 3 rows, 2 features, 2 outputs,
 * L = sum(Y) so the upstream gradient is all ones, and the values it prints.
 */
final class SeedExample {
  static final double[] B = {0.5, -2.0};
  static final double[][] Y = {{2.5, -1.0}, {-0.5, 1.0}, {1.5, 2.0}};
  static final double[][] DW = {{2.0, 2.0}, {2.0, 2.0}};
  static final double[][] DX = {{3.0, 2.0}, {3.0, 2.0}, {3.0, 2.0}};
  static final double[] DB = {3.0, 3.0};

  private SeedExample() {
  }

  /** X: 3 x 2. */
  static DenseBlock x() {
    return DenseBlock.ofRows(new double[][] {{1, 0}, {0, 1}, {1, 1}});
  }

  /** W: 2 x 2. */
  static DenseBlock w() {
    return DenseBlock.ofRows(new double[][] {{2, 1}, {-1, 3}});
  }
}
