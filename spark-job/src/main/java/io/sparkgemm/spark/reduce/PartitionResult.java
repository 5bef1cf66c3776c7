package io.sparkgemm.spark.reduce;

import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.spark.output.OutputBlock;
import java.io.Serializable;
import java.util.List;

/**
 * What one partition's share of a pass produced: its gradient sums (null for a forward pass or
 * an empty partition), its row-shaped outputs, the backend it ran on, its compute time and the
 * sum of squares of its dX (for ||dX||). {@code leaf} is its place in the reduction tree: the
 * partition index, or with --deterministic the chunk index of its blocks.
 */
public record PartitionResult(int leaf, GradientAccumulator gradients, List<OutputBlock> outputs,
    String backend, long rows, double seconds, double dxSquares) implements Serializable {
}
