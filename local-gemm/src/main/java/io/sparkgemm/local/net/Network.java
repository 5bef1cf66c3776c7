package io.sparkgemm.local.net;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The shape of a network: layer sizes {@code d_0 -> d_1 -> ... -> d_L} (L linear layers, W_l
 * is d_l x d_{l+1} and b_l has d_{l+1} values) and the activation after each hidden layer (L -
 * 1 of them; none after the last, whose output goes to the loss head). One layer is the linear
 * model. θ ({@link Theta}) packs the parameters layer by layer, W_l (row-major) then b_l:
 * MLlib's MLP layout too (its affine layers read W column-major as d_{l+1} x d_l, which is our
 * row-major W_l).
 * Immutable; equal when the sizes and activations are.
 */
public final class Network implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] sizes;
  private final List<Activation> activations;
  /** weightOffset(l) at 2l, biasOffset(l) at 2l + 1, θ's length at 2L. */
  private final int[] offsets;

  /**
   * @param sizes d_0 .. d_L, each &gt;= 1, at least two
   * @param activations one per hidden layer (sizes.length - 2 of them)
   * @throws IllegalArgumentException for fewer than two sizes, a size under 1, the wrong number
   *     of activations, or a θ longer than one Java array can hold
   */
  public Network(int[] sizes, List<Activation> activations) {
    if (sizes == null || sizes.length < 2) {
      throw new IllegalArgumentException("A network needs at least two layer sizes (inputs and "
          + "outputs), got " + (sizes == null ? "none" : Arrays.toString(sizes)));
    }
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 1) {
        throw new IllegalArgumentException("Layer size d_" + i + " must be at least 1, got "
            + sizes[i] + " in " + Arrays.toString(sizes));
      }
    }
    int hidden = sizes.length - 2;
    if (activations == null || activations.size() != hidden) {
      throw new IllegalArgumentException("A network with sizes " + Arrays.toString(sizes)
          + " has " + hidden + " hidden layer(s), so it needs " + hidden + " activation(s); got "
          + (activations == null ? "none" : activations.size() + " " + activations));
    }
    for (Activation a : activations) {
      Objects.requireNonNull(a, "activations must not contain null");
    }
    this.sizes = sizes.clone();
    this.activations = List.copyOf(activations);
    this.offsets = offsets(this.sizes);
  }

  private static int[] offsets(int[] sizes) {
    int layers = sizes.length - 1;
    int[] offsets = new int[2 * layers + 1];
    long at = 0;
    for (int l = 0; l < layers; l++) {
      offsets[2 * l] = (int) Math.min(at, Integer.MAX_VALUE);
      at += (long) sizes[l] * sizes[l + 1];
      offsets[2 * l + 1] = (int) Math.min(at, Integer.MAX_VALUE);
      at += sizes[l + 1];
    }
    if (at > MAX_PARAMETERS) {
      throw new IllegalArgumentException("The network " + describe(sizes, List.of()) + " has "
          + at + " parameters, more than one Java array can hold (" + MAX_PARAMETERS
          + "); use smaller layers");
    }
    offsets[2 * layers] = (int) at;
    return offsets;
  }

  /** The most parameters θ can hold (a Java array's limit). */
  public static final int MAX_PARAMETERS = Integer.MAX_VALUE - 8;

  /** The linear model d -> k (one layer, no activation). */
  public static Network linear(int inFeatures, int outFeatures) {
    return new Network(new int[] {inFeatures, outFeatures}, List.of());
  }

  /**
   * d -> hidden[0] -> ... -> k with {@code activation} after every hidden layer; no hidden
   * sizes (an empty array) is the linear model.
   */
  public static Network of(int inFeatures, int[] hidden, Activation activation,
      int outFeatures) {
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = inFeatures;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = outFeatures;
    List<Activation> activations = new ArrayList<>();
    for (int i = 0; i < hidden.length; i++) {
      activations.add(activation);
    }
    return new Network(sizes, activations);
  }

  /** L, the number of linear layers. */
  public int numLayers() {
    return sizes.length - 1;
  }

  /** True for the one-layer (linear) network. */
  public boolean isLinear() {
    return sizes.length == 2;
  }

  /** d_0. */
  public int inFeatures() {
    return sizes[0];
  }

  /** d_L. */
  public int outFeatures() {
    return sizes[sizes.length - 1];
  }

  /** d_i, 0 &lt;= i &lt;= L. */
  public int size(int i) {
    return sizes[i];
  }

  /** A copy of d_0 .. d_L. */
  public int[] sizes() {
    return sizes.clone();
  }

  /** The activation after layer {@code layer} (0 &lt;= layer &lt; L - 1). */
  public Activation activation(int layer) {
    return activations.get(layer);
  }

  /** The L - 1 hidden activations, in order (unmodifiable). */
  public List<Activation> activations() {
    return activations;
  }

  /**
   * The length of θ: Σ d_l d_{l+1} + d_{l+1}. A network whose θ would not fit in one array is
   * refused when it is made, with the count.
   */
  public int numParameters() {
    return offsets[offsets.length - 1];
  }

  /** Where W_layer starts in θ; only {@link Theta} reads θ's layout. */
  int weightOffset(int layer) {
    checkLayer(layer);
    return offsets[2 * layer];
  }

  /** Where b_layer starts in θ; only {@link Theta} reads θ's layout. */
  int biasOffset(int layer) {
    checkLayer(layer);
    return offsets[2 * layer + 1];
  }

  /** E.g. {@code 784-256(relu)-10}; {@code 784-10} for the linear model. */
  public String describe() {
    return describe(sizes, activations);
  }

  /** E.g. {@code 784-256(relu)-10}, for sizes and activations that need not make a network. */
  public static String describe(int[] sizes, List<Activation> activations) {
    StringBuilder out = new StringBuilder().append(sizes[0]);
    for (int i = 1; i < sizes.length; i++) {
      out.append('-').append(sizes[i]);
      if (i - 1 < activations.size()) {
        out.append('(').append(activations.get(i - 1).label()).append(')');
      }
    }
    return out.toString();
  }

  private void checkLayer(int layer) {
    if (layer < 0 || layer >= numLayers()) {
      throw new IndexOutOfBoundsException("Layer " + layer + " of a network with "
          + numLayers() + " layer(s) (" + describe() + ")");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Network other && Arrays.equals(sizes, other.sizes)
        && activations.equals(other.activations);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(sizes) + activations.hashCode();
  }

  @Override
  public String toString() {
    return "Network(" + describe() + ")";
  }
}
