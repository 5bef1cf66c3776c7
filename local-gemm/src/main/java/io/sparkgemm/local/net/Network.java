package io.sparkgemm.local.net;

import java.io.Serializable;
import java.util.List;

/**
 * The shape of a network: layer sizes {@code d_0 -> d_1 -> ... -> d_L} (L linear layers, W_l
 * is d_l x d_{l+1} and b_l has d_{l+1} values) and the activation after each hidden layer (L -
 * 1 of them; none after the last, whose output goes to the loss head). One layer is the linear
 * model. θ packs the parameters layer by layer, W_l (row-major) then b_l.
 *
 * <p>STUB: the API the other parts code against; implemented in local-gemm's network work.
 */
public final class Network implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * @param sizes d_0 .. d_L, each &gt;= 1, at least two
   * @param activations one per hidden layer (sizes.length - 2 of them)
   */
  public Network(int[] sizes, List<Activation> activations) {
    throw new UnsupportedOperationException("stub");
  }

  /** The linear model d -> k (one layer, no activation). */
  public static Network linear(int inFeatures, int outFeatures) {
    throw new UnsupportedOperationException("stub");
  }

  /** d -> hidden[0] -> ... -> k with {@code activation} after every hidden layer. */
  public static Network of(int inFeatures, int[] hidden, Activation activation,
      int outFeatures) {
    throw new UnsupportedOperationException("stub");
  }

  /** L, the number of linear layers. */
  public int numLayers() {
    throw new UnsupportedOperationException("stub");
  }

  /** d_0. */
  public int inFeatures() {
    throw new UnsupportedOperationException("stub");
  }

  /** d_L. */
  public int outFeatures() {
    throw new UnsupportedOperationException("stub");
  }

  /** d_i, 0 &lt;= i &lt;= L. */
  public int size(int i) {
    throw new UnsupportedOperationException("stub");
  }

  /** A copy of d_0 .. d_L. */
  public int[] sizes() {
    throw new UnsupportedOperationException("stub");
  }

  /** The activation after layer {@code layer} (0 &lt;= layer &lt; L - 1). */
  public Activation activation(int layer) {
    throw new UnsupportedOperationException("stub");
  }

  /** The L - 1 hidden activations, in order. */
  public List<Activation> activations() {
    throw new UnsupportedOperationException("stub");
  }

  /** The length of θ: Σ d_l d_{l+1} + d_{l+1}; refused (with the count) above an int. */
  public int numParameters() {
    throw new UnsupportedOperationException("stub");
  }

  /** Where W_layer starts in θ. */
  public int weightOffset(int layer) {
    throw new UnsupportedOperationException("stub");
  }

  /** Where b_layer starts in θ. */
  public int biasOffset(int layer) {
    throw new UnsupportedOperationException("stub");
  }

  /** E.g. {@code 784-256(relu)-10}; {@code 784-10} for the linear model. */
  public String describe() {
    throw new UnsupportedOperationException("stub");
  }
}
