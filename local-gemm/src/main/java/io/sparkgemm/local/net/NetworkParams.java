package io.sparkgemm.local.net;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.io.Serializable;
import java.util.List;

/**
 * θ unpacked for the kernels: W_l as a block in the pass's dtype, b_l as float64 (the kernels
 * round it as they round the linear layer's b). What a pass broadcasts. Immutable by contract:
 * the blocks and arrays are shared, and nothing modifies them.
 */
public final class NetworkParams implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Network network;
  private final DType dtype;
  private final DenseBlock[] weights;
  private final double[][] biases;

  private NetworkParams(Network network, DType dtype, DenseBlock[] weights, double[][] biases) {
    this.network = network;
    this.dtype = dtype;
    this.weights = weights;
    this.biases = biases;
  }

  /**
   * θ (copied) unpacked in {@code dtype}: W_l rounded to float32 in a float32 pass, b_l kept in
   * float64. {@link Theta#unpack} calls it.
   */
  static NetworkParams unpack(Theta theta, DType dtype) {
    Network network = theta.network();
    int layers = network.numLayers();
    DenseBlock[] weights = new DenseBlock[layers];
    double[][] biases = new double[layers][];
    for (int l = 0; l < layers; l++) {
      weights[l] = theta.weight(l, dtype);
      biases[l] = theta.bias(l);
    }
    return new NetworkParams(network, dtype, weights, biases);
  }

  /**
   * Parameters from blocks already in the pass's dtype (not copied): W_l d_l x d_{l+1}, all of
   * one dtype, and b_l with d_{l+1} values. The linear layer's (w, b) is
   * {@code of(Network.linear(d, k), List.of(w), List.of(b))}.
   */
  public static NetworkParams of(Network network, List<DenseBlock> weights,
      List<double[]> biases) {
    int layers = network.numLayers();
    if (weights.size() != layers || biases.size() != layers) {
      throw new IllegalArgumentException("The network " + network.describe() + " has " + layers
          + " layer(s) but got " + weights.size() + " W and " + biases.size() + " b");
    }
    DType dtype = weights.get(0).dtype();
    for (int l = 0; l < layers; l++) {
      DenseBlock w = weights.get(l);
      int d = network.size(l);
      int k = network.size(l + 1);
      if (w.numRows() != d || w.numCols() != k || biases.get(l).length != k
          || w.dtype() != dtype) {
        throw new IllegalArgumentException("Layer " + l + " of " + network.describe()
            + " needs W " + d + "x" + k + " (" + dtype.label() + ") and b with " + k
            + " values; got W " + w.shape() + " (" + w.dtype().label() + ") and b with "
            + biases.get(l).length);
      }
    }
    return new NetworkParams(network, dtype, weights.toArray(new DenseBlock[0]),
        biases.toArray(new double[0][]));
  }

  public Network network() {
    return network;
  }

  public DType dtype() {
    return dtype;
  }

  /** W_layer, d_layer x d_{layer+1}, in {@link #dtype()} (shared, do not modify). */
  public DenseBlock weight(int layer) {
    return weights[layer];
  }

  /** b_layer, d_{layer+1} values (shared, do not modify). */
  public double[] bias(int layer) {
    return biases[layer];
  }

  /** θ again, as a new float64 vector (W_l widened from float32 in a float32 pass). */
  public Theta pack() {
    return Theta.pack(network, List.of(weights), List.of(biases));
  }
}
