package io.sparkgemm.local.net;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A network's parameters θ as one float64 vector: layer by layer, W_l (d_l x d_{l+1},
 * row-major) then b_l (d_{l+1}). The linear layer (W, b) is {@link #linear}: θ of
 * {@code Network.linear(d, k)}. Besides {@link Network}, the one place that knows this layout:
 * everything else packs, unpacks, penalises and rescales θ through it.
 *
 * <p>Wraps its vector without copying (θ is large and changes every iteration; the optimizers
 * own it): {@link #values()} is that vector, and the accessors copy out of it.
 */
public final class Theta implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Network network;
  private final double[] values;

  private Theta(Network network, double[] values) {
    this.network = network;
    this.values = values;
  }

  /**
   * θ of {@code network} as {@code values} (not copied).
   *
   * @throws IllegalArgumentException when the length is not the network's parameter count
   */
  public static Theta of(Network network, double[] values) {
    if (values.length != network.numParameters()) {
      throw new IllegalArgumentException("θ has " + values.length + " values but the network "
          + network.describe() + " has " + network.numParameters() + " parameters");
    }
    return new Theta(network, values);
  }

  /** All zeros. */
  public static Theta zeros(Network network) {
    return new Theta(network, new double[network.numParameters()]);
  }

  /**
   * θ packed from every layer's W_l (d_l x d_{l+1}, any dtype: widened to float64) and b_l
   * (d_{l+1} values); neither is kept.
   *
   * @throws IllegalArgumentException for the wrong number of layers or a shape that does not
   *     fit the network
   */
  public static Theta pack(Network network, List<DenseBlock> weights, List<double[]> biases) {
    int layers = network.numLayers();
    if (weights.size() != layers || biases.size() != layers) {
      throw new IllegalArgumentException("The network " + network.describe() + " has " + layers
          + " layer(s) but got " + weights.size() + " W and " + biases.size() + " b");
    }
    double[] theta = new double[network.numParameters()];
    for (int l = 0; l < layers; l++) {
      DenseBlock w = weights.get(l);
      int d = network.size(l);
      int k = network.size(l + 1);
      if (w.numRows() != d || w.numCols() != k || biases.get(l).length != k) {
        throw new IllegalArgumentException("Layer " + l + " of " + network.describe()
            + " needs W " + d + "x" + k + " and b with " + k + " values; got W " + w.shape()
            + " and b with " + biases.get(l).length);
      }
      if (w.dtype() == DType.FLOAT64) {
        System.arraycopy(w.doubles(), 0, theta, network.weightOffset(l), d * k);
      } else {
        float[] wv = w.floats();
        int at = network.weightOffset(l);
        for (int i = 0; i < wv.length; i++) {
          theta[at + i] = wv[i];
        }
      }
      System.arraycopy(biases.get(l), 0, theta, network.biasOffset(l), k);
    }
    return new Theta(network, theta);
  }

  /** θ of the linear layer {@code Network.linear(d, k)}: W (d x k, any dtype) then b (k). */
  public static Theta linear(DenseBlock w, double[] b) {
    return pack(Network.linear(w.numRows(), w.numCols()), List.of(w), List.of(b));
  }

  public Network network() {
    return network;
  }

  /** The vector itself (shared, not copied). */
  public double[] values() {
    return values;
  }

  /** W_layer, d_layer x d_{layer+1}, float64 (a copy). */
  public DenseBlock weight(int layer) {
    return weight(layer, DType.FLOAT64);
  }

  /** W_layer in {@code dtype} (a copy, rounded to nearest for float32). */
  public DenseBlock weight(int layer, DType dtype) {
    int rows = network.size(layer);
    int cols = network.size(layer + 1);
    int at = network.weightOffset(layer);
    if (dtype == DType.FLOAT64) {
      return DenseBlock.ofDoubles(rows, cols, Arrays.copyOfRange(values, at, at + rows * cols));
    }
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) values[at + i];
    }
    return DenseBlock.ofFloats(rows, cols, w);
  }

  /** b_layer, d_{layer+1} values (a copy). */
  public double[] bias(int layer) {
    int at = network.biasOffset(layer);
    return Arrays.copyOfRange(values, at, at + network.size(layer + 1));
  }

  /** Where W_layer[row][col] is in {@link #values()}. */
  public int weightIndex(int layer, int row, int col) {
    return network.weightOffset(layer) + row * network.size(layer + 1) + col;
  }

  /** Where b_layer[col] is in {@link #values()}. */
  public int biasIndex(int layer, int col) {
    return network.biasOffset(layer) + col;
  }

  /** Whether each entry of θ is a weight (true; the L2 penalty's) or a bias (false). */
  public static boolean[] weightMask(Network network) {
    boolean[] mask = new boolean[network.numParameters()];
    for (int l = 0; l < network.numLayers(); l++) {
      int from = network.weightOffset(l);
      Arrays.fill(mask, from, from + network.size(l) * network.size(l + 1), true);
    }
    return mask;
  }

  /** Σ_l ||W_l||², the penalised part of θ (biases are not), summed in θ's order. */
  public double weightSquares() {
    double s = 0;
    for (int l = 0; l < network.numLayers(); l++) {
      int from = network.weightOffset(l);
      int to = from + network.size(l) * network.size(l + 1);
      for (int i = from; i < to; i++) {
        s += values[i] * values[i];
      }
    }
    return s;
  }

  /**
   * Adds {@code reg}·W_l to the weight entries of {@code gradient} (a vector in θ's layout; the
   * gradient of (reg/2)·Σ ||W_l||²); its bias entries are left alone. Modifies {@code gradient}.
   */
  public void addScaledWeights(double reg, double[] gradient) {
    for (int l = 0; l < network.numLayers(); l++) {
      int from = network.weightOffset(l);
      int to = from + network.size(l) * network.size(l + 1);
      for (int i = from; i < to; i++) {
        gradient[i] += reg * values[i];
      }
    }
  }

  /** θ unpacked for the kernels in {@code dtype} (copied; see {@link NetworkParams}). */
  public NetworkParams unpack(DType dtype) {
    return NetworkParams.unpack(this, dtype);
  }

  /**
   * The vector in θ's layout from per-layer arrays: {@code w[l]} (d_l·d_{l+1} values,
   * row-major) and {@code b[l]} (d_{l+1}); for gradients and initial weights.
   */
  static double[] flat(Network network, double[][] w, double[][] b) {
    double[] out = new double[network.numParameters()];
    for (int l = 0; l < network.numLayers(); l++) {
      if (w[l] != null) {
        System.arraycopy(w[l], 0, out, network.weightOffset(l), w[l].length);
      }
      if (b[l] != null) {
        System.arraycopy(b[l], 0, out, network.biasOffset(l), b[l].length);
      }
    }
    return out;
  }
}
