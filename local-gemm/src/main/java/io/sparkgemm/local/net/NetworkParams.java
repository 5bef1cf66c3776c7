package io.sparkgemm.local.net;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.io.Serializable;

/**
 * θ unpacked for the kernels: W_l as a block in the pass's dtype, b_l as float64 (the kernels
 * round it as they round the linear layer's b). What a pass broadcasts.
 *
 * <p>STUB.
 */
public final class NetworkParams implements Serializable {
  private static final long serialVersionUID = 1L;

  /** θ (float64, {@link Network#numParameters()} values; copied) unpacked in {@code dtype}. */
  public static NetworkParams unpack(Network network, double[] theta, DType dtype) {
    throw new UnsupportedOperationException("stub");
  }

  public Network network() {
    throw new UnsupportedOperationException("stub");
  }

  public DType dtype() {
    throw new UnsupportedOperationException("stub");
  }

  /** W_layer, d_layer x d_{layer+1}, in {@link #dtype()}. */
  public DenseBlock weight(int layer) {
    throw new UnsupportedOperationException("stub");
  }

  /** b_layer, d_{layer+1} values (shared, do not modify). */
  public double[] bias(int layer) {
    throw new UnsupportedOperationException("stub");
  }
}
