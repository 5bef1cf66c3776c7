package io.sparkgemm.spark;

import io.sparkgemm.local.GradientAccumulator;
import java.io.Serializable;
import java.util.TreeSet;

/**
 * The treeAggregate buffer: gradient sums plus the partitions' bookkeeping (backends used, task
 * seconds). Its zero value is empty, so the closure ships no d x k array: the float64 sums are
 * allocated on the executor when the first partition result arrives. Merges copy, never alias,
 * so cached partition results are not modified.
 */
final class GradientSum implements Serializable {
  private static final long serialVersionUID = 1L;

  private GradientAccumulator sum;
  private final TreeSet<String> backends = new TreeSet<>();
  private double seconds;
  private double dxSquares;

  GradientAccumulator value() {
    return sum;
  }

  TreeSet<String> backends() {
    return backends;
  }

  double seconds() {
    return seconds;
  }

  double dxSquares() {
    return dxSquares;
  }

  /** Adds one partition's result. Returns this. */
  GradientSum add(PartitionResult part) {
    addGradients(part.gradients());
    if (part.backend() != null) {
      backends.add(part.backend());
    }
    seconds += part.seconds();
    dxSquares += part.dxSquares();
    return this;
  }

  /** Adds another buffer. Returns this. */
  GradientSum merge(GradientSum other) {
    addGradients(other.sum);
    backends.addAll(other.backends);
    seconds += other.seconds;
    dxSquares += other.dxSquares;
    return this;
  }

  private void addGradients(GradientAccumulator part) {
    if (part != null) {
      if (sum == null) {
        sum = new GradientAccumulator(part.inFeatures(), part.outFeatures());
      }
      sum.merge(part);
    }
  }
}
