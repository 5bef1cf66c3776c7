package io.sparkgemm.local.net;

import io.sparkgemm.local.GradientAccumulator;
import java.io.Serializable;

/**
 * The float64 sums of one network's gradient over blocks: one {@link GradientAccumulator} per
 * layer (dW_l, db_l), the loss (on the top layer's accumulator) and the row count. Merges add
 * element by element in index order, layer by layer, so a fixed merge order gives fixed bits.
 *
 * <p>STUB.
 */
public final class NetworkGradient implements Serializable {
  private static final long serialVersionUID = 1L;

  public NetworkGradient(Network network) {
    throw new UnsupportedOperationException("stub");
  }

  public Network network() {
    throw new UnsupportedOperationException("stub");
  }

  /** Layer {@code layer}'s sums (shared; the kernels add into them). */
  public GradientAccumulator layer(int layer) {
    throw new UnsupportedOperationException("stub");
  }

  public double loss() {
    throw new UnsupportedOperationException("stub");
  }

  public long numRows() {
    throw new UnsupportedOperationException("stub");
  }

  /** Adds {@code other}'s sums layer by layer. Returns this. */
  public NetworkGradient merge(NetworkGradient other) {
    throw new UnsupportedOperationException("stub");
  }

  /** The gradient as one new vector in θ's order (W_0, b_0, W_1, b_1, ...). */
  public double[] flat() {
    throw new UnsupportedOperationException("stub");
  }
}
