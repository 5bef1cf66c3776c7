package io.sparkgemm.spark.reduce;

import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.spark.output.OutputBlock;
import java.io.Serializable;
import java.util.List;

/**
 * What one partition's share of a pass produced: its gradient sums over every layer (null for a
 * forward pass or an empty partition), its row-shaped outputs, the backend it ran on, its compute
 * time and the sum of squares of its dX (for ||dX||). {@code leaf} is its place in the reduction
 * tree: the partition index, or with --deterministic the chunk index of its blocks. A streaming
 * pass hands each block's kept outputs over as a result of their own ({@link #outputsOf}), which
 * carries no rows and no sums.
 */
public record PartitionResult(int leaf, NetworkGradient gradients, List<OutputBlock> outputs,
    String backend, long rows, double seconds, double dxSquares) implements Serializable {

  /** One linear layer's sums (copied into a one-layer network's gradient), or null. */
  public PartitionResult(int leaf, GradientAccumulator gradients, List<OutputBlock> outputs,
      String backend, long rows, double seconds, double dxSquares) {
    this(leaf, linear(gradients), outputs, backend, rows, seconds, dxSquares);
  }

  /** One block's kept outputs (Y, dX) of leaf {@code leaf}, with no rows and no sums. */
  public static PartitionResult outputsOf(int leaf, List<OutputBlock> outputs) {
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("A result of outputs only needs outputs");
    }
    return new PartitionResult(leaf, (NetworkGradient) null, outputs, null, 0, 0.0, 0.0);
  }

  /** Whether this result carries outputs only: nothing for the reduction. */
  public boolean outputsOnly() {
    return gradients == null && rows == 0 && backend == null && !outputs.isEmpty();
  }

  /** {@code g}'s sums as the gradient of {@code Network.linear(d, k)}; null for null. */
  static NetworkGradient linear(GradientAccumulator g) {
    if (g == null) {
      return null;
    }
    NetworkGradient sums = new NetworkGradient(Network.linear(g.inFeatures(), g.outFeatures()));
    // 0 + x = x: the copy has g's values (a -0.0 becomes 0.0, as in any merge into zeros).
    sums.layer(0).merge(g);
    return sums;
  }
}
