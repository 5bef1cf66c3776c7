package io.sparkgemm.local.net;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;

/**
 * One block's network math. Forward: {@code A_0 = X}, {@code Z_l = A_l W_l + b_l},
 * {@code A_{l+1} = act_l(Z_l)}, the last Z is the output Y (logits). Backward from the head's
 * {@code G_L = dL/dY}: {@code dW_l += A_lᵀ G_l}, {@code db_l += 1ᵀ G_l},
 * {@code G_{l-1} = (G_l W_lᵀ) ⊙ act'_{l-1}(Z_{l-1})}, and {@code dX = G_0 W_0ᵀ} when asked.
 * Every product is a GEMM on the block. A one-layer network runs exactly
 * {@link io.sparkgemm.local.LinearKernels#backward} (same panels, same bits).
 *
 * <p>STUB.
 */
public final class NetworkKernels {

  public NetworkKernels(GemmBackend backend) {
    throw new UnsupportedOperationException("stub");
  }

  public GemmBackend backend() {
    throw new UnsupportedOperationException("stub");
  }

  /** Allocates y (n x d_L, x's dtype and row ids) and runs the network forward into it. */
  public DenseBlock forward(NetworkParams params, DenseBlock x) {
    throw new UnsupportedOperationException("stub");
  }

  /** Runs the network forward into y (n x d_L); hidden activations go to {@code work}. */
  public void forward(NetworkParams params, DenseBlock x, Workspace work, DenseBlock y) {
    throw new UnsupportedOperationException("stub");
  }

  /**
   * One block's whole backward step: forward (keeping what backward needs in {@code work}),
   * {@code g = head(y)} and the block's loss share, then the adjoints layer by layer into
   * {@code acc}; dx (n x d_0) when not null. Writes y and g (n x d_L).
   */
  public void backward(NetworkParams params, DenseBlock x, LossHead head, Labels labels,
      DenseBlock y, DenseBlock g, DenseBlock dx, Workspace work, NetworkGradient acc) {
    throw new UnsupportedOperationException("stub");
  }

  /**
   * The same from a supplied g = dL/dY (n x d_L; no head): forward to the hidden layers only
   * (a one-layer network needs none), then the adjoints; adds the rows, and no loss.
   */
  public void backwardFromGradient(NetworkParams params, DenseBlock x, DenseBlock g,
      DenseBlock dx, Workspace work, NetworkGradient acc) {
    throw new UnsupportedOperationException("stub");
  }

  /**
   * Per-block scratch for the hidden layers' Z and A and the backward G's, sized on first use
   * and reused by later blocks of the same or fewer rows. Not thread-safe; one per task.
   */
  public static final class Workspace {
    public Workspace() {
      throw new UnsupportedOperationException("stub");
    }
  }
}
