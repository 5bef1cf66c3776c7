package io.sparkgemm.local.net;

import io.sparkgemm.local.GradientAccumulator;
import java.io.Serializable;

/**
 * The float64 sums of one network's gradient over blocks: one {@link GradientAccumulator} per
 * layer (dW_l, db_l). The loss and the row count live on the top layer's accumulator (layer
 * L - 1: where the head's loss enters, and for the linear model the one accumulator that
 * {@link io.sparkgemm.local.LinearKernels} adds them to); the lower layers' stay 0. Merges add
 * element by element in index order, layer by layer, so a fixed merge order gives fixed bits.
 */
public final class NetworkGradient implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Network network;
  private final GradientAccumulator[] layers;

  public NetworkGradient(Network network) {
    this.network = network;
    this.layers = new GradientAccumulator[network.numLayers()];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new GradientAccumulator(network.size(l), network.size(l + 1));
    }
  }

  public Network network() {
    return network;
  }

  /** Layer {@code layer}'s sums (shared; the kernels add into them). */
  public GradientAccumulator layer(int layer) {
    return layers[layer];
  }

  /** The top layer's accumulator, which holds the loss and the rows. */
  public GradientAccumulator top() {
    return layers[layers.length - 1];
  }

  public double loss() {
    return top().loss();
  }

  public long numRows() {
    return top().numRows();
  }

  /** Adds a block's loss and row count (to the top layer). Modifies and returns this. */
  public NetworkGradient addLoss(double blockLoss, long blockRows) {
    top().addLoss(blockLoss, blockRows);
    return this;
  }

  /** Adds {@code other}'s sums layer by layer (layer 0 first). Returns this. */
  public NetworkGradient merge(NetworkGradient other) {
    if (!network.equals(other.network)) {
      throw new IllegalArgumentException("Cannot merge the gradient of " + other.network
          .describe() + " into that of " + network.describe());
    }
    for (int l = 0; l < layers.length; l++) {
      layers[l].merge(other.layers[l]);
    }
    return this;
  }

  /** The gradient as one new vector in θ's order (W_0, b_0, W_1, b_1, ...). */
  public double[] flat() {
    double[][] dw = new double[layers.length][];
    double[][] db = new double[layers.length][];
    for (int l = 0; l < layers.length; l++) {
      dw[l] = layers[l].dw();
      db[l] = layers[l].db();
    }
    return Theta.flat(network, dw, db);
  }
}
