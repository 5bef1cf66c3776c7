package io.sparkgemm.local.net;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;

/**
 * One block's network math, forward and backward side by side:
 *
 * <pre>
 *   A_0 = X (n x d_0)   W_l: d_l x d_{l+1}   b_l: d_{l+1}   Z_l, A_{l+1}, G_l: n x d_{l+1}
 *   forward     Z_l = A_l W_l + b_l,   A_{l+1} = act_l(Z_l),   Y = Z_{L-1} (the logits)
 *   head        G_{L-1} = dL/dY
 *   backward    dW_l += A_lᵀ G_l,   db_l += 1ᵀ G_l,
 *               G_{l-1} = (G_l W_lᵀ) ⊙ act'_{l-1}(Z_{l-1}),   dX = G_0 W_0ᵀ (when asked)
 * </pre>
 *
 * Every product is a GEMM on the block, run by {@link LinearKernels}' row-range methods: the
 * forward GEMM starts from b with beta = 1, and float32 blocks add an sgemm partial of A_lᵀ G_l
 * into the float64 sums. A one-layer network runs exactly {@link LinearKernels#forward},
 * {@link LinearKernels#backward} and {@link LinearKernels#backwardFromGradient} (same panels,
 * same bits). Deeper networks take panels of rows only when every layer is narrow
 * ({@link #panelRows}); wide layers take the block whole, where panels do not pay.
 */
public final class NetworkKernels {
  private final LinearKernels linear;
  /** False only in tests and benchmarks: every block whole. */
  private final boolean panels;

  public NetworkKernels(GemmBackend backend) {
    this(backend, true);
  }

  NetworkKernels(GemmBackend backend, boolean panels) {
    this.linear = new LinearKernels(backend);
    this.panels = panels;
  }

  public GemmBackend backend() {
    return linear.backend();
  }

  /** The one-layer kernels this runs on. */
  public LinearKernels linear() {
    return linear;
  }

  /** Allocates y (n x d_L, x's dtype and row ids) and runs the network forward into it. */
  public DenseBlock forward(NetworkParams params, DenseBlock x) {
    DenseBlock y = DenseBlock.zeros(x.dtype(), x.numRows(), params.network().outFeatures());
    forward(params, x, new Workspace(), y);
    return x.hasRowIds() ? y.withRowIds(x.rowIds()) : y;
  }

  /** Runs the network forward into y (n x d_L); hidden activations go to {@code work}. */
  public void forward(NetworkParams params, DenseBlock x, Workspace work, DenseBlock y) {
    Network network = params.network();
    if (network.isLinear()) {
      linear.forward(x, params.weight(0), params.bias(0), y);
      return;
    }
    checkInput(params, x);
    checkOutput("y", params, x, y);
    work.prepare(network, x.dtype(), x.numRows());
    forwardRows(params, x, work, y, 0, x.numRows());
  }

  /**
   * One block's whole backward step: forward (keeping what backward needs in {@code work}),
   * {@code g = head(y)} and the block's loss share, then the adjoints layer by layer into
   * {@code acc}; dx (n x d_0) when not null. Writes y and g (n x d_L).
   *
   * <p>When every layer is at most {@link LinearKernels#PANEL_MAX_K} wide, the block is worked
   * through in {@link #panelRows} panels, each one forward, head and backward, so that the
   * second read of the panel's X (for dW_0) comes from cache, as in
   * {@link LinearKernels#backward}; otherwise the block is taken whole.
   *
   * @param labels what the head needs, aligned with the block's rows (may be null if it needs
   *     nothing)
   */
  public void backward(NetworkParams params, DenseBlock x, LossHead head, Labels labels,
      DenseBlock y, DenseBlock g, DenseBlock dx, Workspace work, NetworkGradient acc) {
    Network network = params.network();
    checkGradient(params, acc);
    if (network.isLinear()) {
      linear.backward(x, params.weight(0), params.bias(0), head, labels, y, g, dx,
          acc.layer(0));
      return;
    }
    checkInput(params, x);
    checkOutput("y", params, x, y);
    checkOutput("g", params, x, g);
    checkDx(params, x, dx);
    int rows = x.numRows();
    work.prepare(network, x.dtype(), rows);
    int panel = panelRows(network, x.dtype(), rows);
    double loss = 0.0;
    for (int from = 0; from < rows; from += panel) {
      int to = Math.min(rows, from + panel);
      forwardRows(params, x, work, y, from, to);
      loss += head.lossAndGradient(y, labels, g, from, to);
      backwardRows(params, x, g, dx, work, acc, from, to);
    }
    acc.addLoss(loss, rows);
  }

  /**
   * The same from a supplied g = dL/dY (n x d_L; no head): forward to the hidden layers only
   * (a one-layer network needs none), then the adjoints, in the same panels as
   * {@link #backward}; adds the rows, and no loss.
   */
  public void backwardFromGradient(NetworkParams params, DenseBlock x, DenseBlock g,
      DenseBlock dx, Workspace work, NetworkGradient acc) {
    Network network = params.network();
    checkGradient(params, acc);
    if (network.isLinear()) {
      linear.backwardFromGradient(x, params.weight(0), g, dx, acc.layer(0));
      return;
    }
    checkInput(params, x);
    checkOutput("g", params, x, g);
    checkDx(params, x, dx);
    int rows = x.numRows();
    work.prepare(network, x.dtype(), rows);
    int panel = panelRows(network, x.dtype(), rows);
    for (int from = 0; from < rows; from += panel) {
      int to = Math.min(rows, from + panel);
      forwardHiddenRows(params, x, work, from, to);
      backwardRows(params, x, g, dx, work, acc, from, to);
    }
    acc.addLoss(0.0, rows);
  }

  /**
   * Rows per panel in {@link #backward} of a network of two or more layers: LinearKernels'
   * panel for d_0 rows of X when every layer's width d_1 .. d_L is at most
   * {@link LinearKernels#PANEL_MAX_K} (and the backend asks for panels), else the whole block.
   * Fixed by the sizes, the dtype and the backend, never by timing.
   */
  public int panelRows(Network network, DType dtype, int rows) {
    if (!panels) {
      return Math.max(1, rows);
    }
    int widest = 0;
    for (int l = 1; l <= network.numLayers(); l++) {
      widest = Math.max(widest, network.size(l));
    }
    return linear.panelRows(network.inFeatures(), widest, dtype, rows);
  }

  /** Rows {@code from..to} of the forward pass: the hidden layers, then y = A_{L-1} W + b. */
  private void forwardRows(NetworkParams params, DenseBlock x, Workspace work, DenseBlock y,
      int from, int to) {
    int top = params.network().numLayers() - 1;
    forwardHiddenRows(params, x, work, from, to);
    linear.forwardRows(work.input(top, x), params.weight(top), params.bias(top), y, from, to);
  }

  /** Rows {@code from..to} of Z_l and A_{l+1} for the hidden layers l = 0 .. L-2. */
  private void forwardHiddenRows(NetworkParams params, DenseBlock x, Workspace work, int from,
      int to) {
    Network network = params.network();
    for (int l = 0; l < network.numLayers() - 1; l++) {
      Activation act = network.activation(l);
      DenseBlock a = work.activation(l + 1);
      // Z_l = A_l W_l + b_l (A_l: n x d_l, W_l: d_l x d_{l+1}); gelu keeps Z_l for backward
      DenseBlock z = act.needsInput() ? work.preActivation(l + 1) : a;
      linear.forwardRows(work.input(l, x), params.weight(l), params.bias(l), z, from, to);
      act.apply(z, a, from, to);
    }
  }

  /**
   * Rows {@code from..to}, from G_{L-1} = g down to layer 0; dx when not null. Adds no loss and
   * no rows.
   */
  private void backwardRows(NetworkParams params, DenseBlock x, DenseBlock g, DenseBlock dx,
      Workspace work, NetworkGradient acc, int from, int to) {
    Network network = params.network();
    DenseBlock gl = g;
    for (int l = network.numLayers() - 1; l >= 0; l--) {
      // dW_l += A_lᵀ G_l, db_l += 1ᵀ G_l (beta = 1: gradients add across blocks)
      linear.accumulateRows(work.input(l, x), gl, acc.layer(l), from, to);
      if (l > 0) {
        // G_{l-1} = (G_l W_lᵀ) ⊙ act'_{l-1}: n x d_l, from A_l (or Z_{l-1} for gelu)
        DenseBlock below = work.gradient(l);
        linear.inputGradientRows(gl, params.weight(l), below, from, to);
        Activation act = network.activation(l - 1);
        act.backward(act.needsInput() ? work.preActivation(l) : work.activation(l), below,
            from, to);
        gl = below;
      } else if (dx != null) {
        // dX = G_0 W_0ᵀ
        linear.inputGradientRows(gl, params.weight(0), dx, from, to);
      }
    }
  }

  private static void checkGradient(NetworkParams params, NetworkGradient acc) {
    if (!params.network().equals(acc.network())) {
      throw new IllegalArgumentException("The gradient sums are for " + acc.network()
          .describe() + " but the parameters for " + params.network().describe());
    }
  }

  private static void checkInput(NetworkParams params, DenseBlock x) {
    Network network = params.network();
    if (x.dtype() != params.dtype() || x.numCols() != network.inFeatures()) {
      throw new IllegalArgumentException("The network " + network.describe() + " ("
          + params.dtype().label() + ") cannot take x " + x.shape() + " (" + x.dtype().label()
          + "): expected n x " + network.inFeatures() + " " + params.dtype().label());
    }
  }

  private static void checkOutput(String name, NetworkParams params, DenseBlock x,
      DenseBlock out) {
    int k = params.network().outFeatures();
    if (out.dtype() != x.dtype() || out.numRows() != x.numRows() || out.numCols() != k) {
      throw new IllegalArgumentException("The network " + params.network().describe() + " on x "
          + x.shape() + " needs " + name + " " + x.numRows() + "x" + k + " ("
          + x.dtype().label() + "), got " + out.shape() + " (" + out.dtype().label() + ")");
    }
  }

  private static void checkDx(NetworkParams params, DenseBlock x, DenseBlock dx) {
    if (dx != null && (dx.dtype() != x.dtype() || dx.numRows() != x.numRows()
        || dx.numCols() != x.numCols())) {
      throw new IllegalArgumentException("The network " + params.network().describe()
          + " on x " + x.shape() + " needs dx " + x.shape() + " (" + x.dtype().label()
          + "), got " + dx.shape() + " (" + dx.dtype().label() + ")");
    }
  }

  /**
   * Per-block scratch for the hidden layers' Z and A and the backward G's, sized on first use
   * and reused by later blocks of the same or fewer rows. Not thread-safe; one per task.
   *
   * <p>Each buffer is a block of the largest row count seen so far (n x d_l arrays are large,
   * humongous objects for G1, so they are made once, not per block); a block of n rows uses
   * its first n rows. A larger block, other layer sizes or another dtype make them anew;
   * another network of the same sizes (other activations) reuses them. Z buffers (gelu only)
   * and G buffers (backward only) are made on first use, so forward-only work never holds G.
   */
  public static final class Workspace {
    private int[] sizes;
    private DType dtype;
    private int capacity;
    /** Index l = 1 .. L-1: A_l, Z_{l-1} (gelu), G_{l-1}; slot 0 unused. */
    private DenseBlock[] activations;
    private DenseBlock[] preActivations;
    private DenseBlock[] gradients;

    public Workspace() {
    }

    /** The rows its buffers hold (0 before first use). */
    public int capacityRows() {
      return capacity;
    }

    /** Makes the buffers fit a block of {@code rows} rows of {@code network} in {@code type}. */
    void prepare(Network network, DType type, int rows) {
      if (type == dtype && rows <= capacity && sameSizes(network)) {
        return;
      }
      int layers = network.numLayers();
      sizes = network.sizes();
      dtype = type;
      capacity = rows;
      activations = new DenseBlock[layers];
      preActivations = new DenseBlock[layers];
      gradients = new DenseBlock[layers];
      for (int l = 1; l < layers; l++) {
        activations[l] = DenseBlock.zeros(type, capacity, sizes[l]);
      }
    }

    private boolean sameSizes(Network network) {
      if (sizes == null || sizes.length != network.numLayers() + 1) {
        return false;
      }
      for (int i = 0; i < sizes.length; i++) {
        if (sizes[i] != network.size(i)) {
          return false;
        }
      }
      return true;
    }

    /** A_l: x for l = 0, else the hidden buffer. */
    DenseBlock input(int layer, DenseBlock x) {
      return layer == 0 ? x : activations[layer];
    }

    DenseBlock activation(int layer) {
      return activations[layer];
    }

    /** Z_{l-1}, kept for a gelu layer's backward; made on first use. */
    DenseBlock preActivation(int layer) {
      if (preActivations[layer] == null) {
        preActivations[layer] = DenseBlock.zeros(dtype, capacity, sizes[layer]);
      }
      return preActivations[layer];
    }

    /** G_{l-1}, n x d_l, the gradient at A_l; made on first use. */
    DenseBlock gradient(int layer) {
      if (gradients[layer] == null) {
        gradients[layer] = DenseBlock.zeros(dtype, capacity, sizes[layer]);
      }
      return gradients[layer];
    }
  }
}
