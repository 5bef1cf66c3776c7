package io.sparkgemm.local;

import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;

/**
 * One block's linear-layer math, forward and backward side by side so the adjoint is visible:
 *
 * <pre>
 *   x: n x d   w: d x k   b: k   y, g: n x k        (all row-major)
 *   forward          y  = x w + b
 *   input gradient   dx = g wᵀ          (adjoint of x -> x w)
 *   weight gradient  dw += xᵀ g         (adjoint of w -> x w; sums over the batch)
 *   bias gradient    db += 1ᵀ g         (b broadcasts over rows, so its gradient sums them)
 * </pre>
 *
 * Stateless apart from the backend; blocks of one call share a dtype, b is float64 and the
 * gradient sums are float64 ({@link GradientAccumulator}).
 */
public final class LinearKernels {
  private final GemmBackend backend;

  public LinearKernels(GemmBackend backend) {
    this.backend = backend;
  }

  public GemmBackend backend() {
    return backend;
  }

  /** Allocates y (n x k, x's dtype and row ids) and computes {@code y = x w + b}. */
  public DenseBlock forward(DenseBlock x, DenseBlock w, double[] b) {
    DenseBlock y = DenseBlock.zeros(x.dtype(), x.numRows(), w.numCols());
    forward(x, w, b, y);
    return x.hasRowIds() ? y.withRowIds(x.rowIds()) : y;
  }

  /** {@code y = x w + b}. Modifies y only. */
  public void forward(DenseBlock x, DenseBlock w, double[] b, DenseBlock y) {
    checkForward(x, w, b, y);
    forwardPanel(x, w, b, y, 0, x.numRows());
  }

  /** Allocates dx (n x d, g's dtype and row ids) and computes {@code dx = g wᵀ}. */
  public DenseBlock inputGradient(DenseBlock g, DenseBlock w) {
    DenseBlock dx = DenseBlock.zeros(g.dtype(), g.numRows(), w.numRows());
    inputGradient(g, w, dx);
    return g.hasRowIds() ? dx.withRowIds(g.rowIds()) : dx;
  }

  /** {@code dx = g wᵀ}. Modifies dx only. */
  public void inputGradient(DenseBlock g, DenseBlock w, DenseBlock dx) {
    checkInputGradient(g, w, dx);
    inputGradientPanel(g, w, dx, 0, g.numRows());
  }

  /**
   * {@code dw += xᵀ g} and {@code db += 1ᵀ g}. Modifies {@code acc} only. Float32 blocks run
   * sgemm into a float32 partial that is then added into the float64 sums.
   */
  public void accumulateGradients(DenseBlock x, DenseBlock g, GradientAccumulator acc) {
    checkAccumulate(x, g, acc);
    accumulatePanel(x, g, acc, 0, x.numRows());
  }

  /**
   * One block's backward step, all of it: {@code y = x w + b}, {@code g = head(y)}, {@code
   * dw += xᵀ g}, {@code db += 1ᵀ g} and, when {@code dx} is not null, {@code dx = g wᵀ}. Writes
   * y, g and dx (whole blocks, as the separate methods would) and adds the block's gradient and
   * its loss share to {@code acc}.
   *
   * <p>The block is worked through in panels of {@link #panelRows} rows: each panel's forward
   * product, head and {@code xᵀ g} run back to back, so the second read of the panel's x comes
   * from the CPU cache, not memory. That matters when k is small, where both products are bound
   * by reading x (at 784 x 10, float64, 2 cores: 0.26 s instead of 0.70 s for 200,000 rows).
   * Panels change the order of the float64 sums (a block's dw is a sum of panel products), so
   * results depend on the panel size as they do on the block size; the size is fixed by d, k,
   * the dtype and the backend, never by timing.
   *
   * @param labels what the head needs, aligned with the block's rows (may be null if it needs
   *     nothing)
   */
  public void backward(DenseBlock x, DenseBlock w, double[] b, LossHead head, Labels labels,
      DenseBlock y, DenseBlock g, DenseBlock dx, GradientAccumulator acc) {
    checkForward(x, w, b, y);
    checkAccumulate(x, g, acc);
    if (dx != null) {
      checkInputGradient(g, w, dx);
    }
    int rows = x.numRows();
    int panel = panelRows(x.numCols(), w.numCols(), x.dtype(), rows);
    double loss = 0.0;
    for (int from = 0; from < rows; from += panel) {
      int to = Math.min(rows, from + panel);
      forwardPanel(x, w, b, y, from, to);
      loss += head.lossAndGradient(y, labels, g, from, to);
      accumulatePanel(x, g, acc, from, to);
      if (dx != null) {
        inputGradientPanel(g, w, dx, from, to);
      }
    }
    acc.addLoss(loss, rows);
  }

  /**
   * {@link #backward} for a supplied g (no head, so no y): {@code dw += xᵀ g}, {@code db += 1ᵀ g}
   * and, when {@code dx} is not null, {@code dx = g wᵀ}, in the same panels as {@link #backward}
   * and so with the same bits; adds the block's rows, and no loss, to {@code acc}. Modifies dx
   * and acc only.
   */
  public void backwardFromGradient(DenseBlock x, DenseBlock w, DenseBlock g, DenseBlock dx,
      GradientAccumulator acc) {
    checkAccumulate(x, g, acc);
    if (dx != null) {
      checkInputGradient(g, w, dx);
    }
    int rows = x.numRows();
    int panel = panelRows(x.numCols(), w.numCols(), x.dtype(), rows);
    for (int from = 0; from < rows; from += panel) {
      int to = Math.min(rows, from + panel);
      accumulatePanel(x, g, acc, from, to);
      if (dx != null) {
        inputGradientPanel(g, w, dx, from, to);
      }
    }
    acc.addLoss(0.0, rows);
  }

  /**
   * Rows {@code from..to} of {@code y = x w + b}, the same arithmetic as one panel of
   * {@link #backward}. x and y may have more rows than {@code to} (scratch sized for a larger
   * block); the same row indices are read in x and written in y. Modifies those rows of y only.
   */
  public void forwardRows(DenseBlock x, DenseBlock w, double[] b, DenseBlock y, int from,
      int to) {
    requireSameDType("forward", x, w, y);
    if (x.numCols() != w.numRows() || y.numCols() != w.numCols() || b.length != w.numCols()) {
      throw new IllegalArgumentException("Cannot compute y = x w + b: x is " + x.shape()
          + ", w is " + w.shape() + ", b has " + b.length + " values, y is " + y.shape()
          + " (expected x any x d, w d x k, b k, y any x k)");
    }
    checkRows("y = x w + b", from, to, x, y);
    forwardPanel(x, w, b, y, from, to);
  }

  /**
   * Rows {@code from..to} of {@code dx = g wᵀ}, as one panel of {@link #backward}; g and dx may
   * have more rows than {@code to}. Modifies those rows of dx only.
   */
  public void inputGradientRows(DenseBlock g, DenseBlock w, DenseBlock dx, int from, int to) {
    requireSameDType("input gradient", g, w, dx);
    if (g.numCols() != w.numCols() || dx.numCols() != w.numRows()) {
      throw new IllegalArgumentException("Cannot compute dx = g wᵀ: g is " + g.shape()
          + ", w is " + w.shape() + ", dx is " + dx.shape()
          + " (expected g any x k, w d x k, dx any x d)");
    }
    checkRows("dx = g wᵀ", from, to, g, dx);
    inputGradientPanel(g, w, dx, from, to);
  }

  /**
   * {@code dw += xᵀ g} and {@code db += 1ᵀ g} over rows {@code from..to}, as one panel of
   * {@link #backward} (float32: an sgemm partial added into the float64 sums); x and g may have
   * more rows than {@code to}. Modifies {@code acc} only; adds no loss and no rows.
   */
  public void accumulateRows(DenseBlock x, DenseBlock g, GradientAccumulator acc, int from,
      int to) {
    if (x.dtype() != g.dtype()) {
      throw new IllegalArgumentException("Cannot accumulate gradients: x is " + x.dtype().label()
          + " but g is " + g.dtype().label());
    }
    if (acc.inFeatures() != x.numCols() || acc.outFeatures() != g.numCols()) {
      throw new IllegalArgumentException("Cannot compute dw += xᵀ g: x is " + x.shape()
          + ", g is " + g.shape() + ", dw is " + acc.inFeatures() + "x" + acc.outFeatures()
          + " (expected x any x d, g any x k, dw d x k)");
    }
    checkRows("dw += xᵀ g", from, to, x, g);
    accumulatePanel(x, g, acc, from, to);
  }

  private static void checkRows(String what, int from, int to, DenseBlock a, DenseBlock b) {
    if (from < 0 || to < from || to > a.numRows() || to > b.numRows()) {
      throw new IllegalArgumentException("Cannot compute rows " + from + ".." + to + " of "
          + what + ": the blocks have " + a.numRows() + " and " + b.numRows() + " rows"
          + " (expected 0 <= from <= to <= both)");
    }
  }

  /**
   * Rows per panel in {@link #backward}: all of them unless the backend asks for panels
   * ({@link GemmBackend#panelBytes()}) and k is at most {@value #PANEL_MAX_K}; then as many rows
   * of x as fit in the backend's panel bytes, a multiple of 8 and at least 16.
   */
  public int panelRows(int d, int k, DType dtype, int rows) {
    long bytes = backend.panelBytes();
    if (bytes <= 0 || k > PANEL_MAX_K || d == 0) {
      return Math.max(1, rows);
    }
    long fit = bytes / ((long) d * dtype.bytes());
    int panel = (int) Math.max(16, fit / 8 * 8);
    return Math.max(1, Math.min(rows, panel));
  }

  /**
   * The widest k that panels help: above it both products do enough arithmetic per value of x
   * that reading x twice from memory costs little, and whole blocks keep the GEMMs larger.
   */
  public static final int PANEL_MAX_K = 64;

  private static void checkForward(DenseBlock x, DenseBlock w, double[] b, DenseBlock y) {
    requireSameDType("forward", x, w, y);
    if (x.numCols() != w.numRows() || y.numRows() != x.numRows() || y.numCols() != w.numCols()
        || b.length != w.numCols()) {
      throw new IllegalArgumentException("Cannot compute y = x w + b: x is " + x.shape()
          + ", w is " + w.shape() + ", b has " + b.length + " values, y is " + y.shape()
          + " (expected x n x d, w d x k, b k, y n x k)");
    }
  }

  private static void checkInputGradient(DenseBlock g, DenseBlock w, DenseBlock dx) {
    requireSameDType("input gradient", g, w, dx);
    if (g.numCols() != w.numCols() || dx.numRows() != g.numRows() || dx.numCols() != w.numRows()) {
      throw new IllegalArgumentException("Cannot compute dx = g wᵀ: g is " + g.shape()
          + ", w is " + w.shape() + ", dx is " + dx.shape()
          + " (expected g n x k, w d x k, dx n x d)");
    }
  }

  private static void checkAccumulate(DenseBlock x, DenseBlock g, GradientAccumulator acc) {
    if (x.dtype() != g.dtype()) {
      throw new IllegalArgumentException("Cannot accumulate gradients: x is " + x.dtype().label()
          + " but g is " + g.dtype().label());
    }
    if (x.numRows() != g.numRows() || acc.inFeatures() != x.numCols()
        || acc.outFeatures() != g.numCols()) {
      throw new IllegalArgumentException("Cannot compute dw += xᵀ g: x is " + x.shape()
          + ", g is " + g.shape() + ", dw is " + acc.inFeatures() + "x" + acc.outFeatures()
          + " (expected x n x d, g n x k, dw d x k)");
    }
  }

  /** Rows {@code from..to} of {@code y = x w + b} (unchecked). */
  private void forwardPanel(DenseBlock x, DenseBlock w, double[] b, DenseBlock y, int from,
      int to) {
    // y = b broadcast over rows, then y += x w (x: m x d, w: d x k, y: m x k). Starting from b
    // with beta = 1 spares the pass over y that beta = 0 costs (BLAS zeroes C first) plus a
    // second pass to add b.
    fillRows(y, b, from, to);
    gemmAt(Trans.N, Trans.N, to - from, w.numCols(), x.numCols(), x, from, w, 0, 1.0, y, from);
  }

  /** Rows {@code from..to} of {@code dx = g wᵀ}. */
  private void inputGradientPanel(DenseBlock g, DenseBlock w, DenseBlock dx, int from, int to) {
    // g: m x k   wᵀ: k x d   dx: m x d
    gemmAt(Trans.N, Trans.T, to - from, w.numRows(), w.numCols(), g, from, w, 0, 0.0, dx, from);
  }

  /** {@code dw += xᵀ g}, {@code db += 1ᵀ g} over rows {@code from..to}. */
  private void accumulatePanel(DenseBlock x, DenseBlock g, GradientAccumulator acc, int from,
      int to) {
    int d = x.numCols();
    int k = g.numCols();
    int m = to - from;
    double[] db = acc.db();
    if (x.dtype() == DType.FLOAT64) {
      // xᵀ: d x m   g: m x k   dw: d x k   (beta = 1: gradients add across blocks)
      gemmAt(Trans.T, Trans.N, d, k, m, x, from, g, from, 1.0, acc.dwBlock(), 0);
      double[] gv = g.doubles();
      for (int r = from; r < to; r++) {
        for (int j = 0; j < k; j++) {
          db[j] += gv[r * k + j];
        }
      }
    } else {
      float[] partial = acc.scratch();
      // xᵀ: d x m   g: m x k   partial: d x k  (beta = 0), then dw += partial in float64
      gemmAt(Trans.T, Trans.N, d, k, m, x, from, g, from, 0.0, DenseBlock.ofFloats(d, k, partial),
          0);
      double[] dw = acc.dw();
      for (int i = 0; i < dw.length; i++) {
        dw[i] += partial[i];
      }
      float[] gv = g.floats();
      for (int r = from; r < to; r++) {
        for (int j = 0; j < k; j++) {
          db[j] += gv[r * k + j];
        }
      }
    }
  }

  /**
   * {@code c = op(a) op(b) + beta c} on the arrays of three blocks of one dtype, starting at row
   * {@code rowA} of a, {@code rowB} of b and {@code rowC} of c (each block's row stride is its
   * column count), with alpha 1.
   */
  private void gemmAt(Trans transA, Trans transB, int m, int n, int k, DenseBlock a, int rowA,
      DenseBlock b, int rowB, double beta, DenseBlock c, int rowC) {
    int lda = a.numCols();
    int ldb = b.numCols();
    int ldc = c.numCols();
    if (a.dtype() == DType.FLOAT64) {
      backend.dgemm(transA, transB, m, n, k, 1.0, a.doubles(), rowA * lda, Math.max(1, lda),
          b.doubles(), rowB * ldb, Math.max(1, ldb), beta, c.doubles(), rowC * ldc,
          Math.max(1, ldc));
    } else {
      backend.sgemm(transA, transB, m, n, k, 1.0f, a.floats(), rowA * lda, Math.max(1, lda),
          b.floats(), rowB * ldb, Math.max(1, ldb), (float) beta, c.floats(), rowC * ldc,
          Math.max(1, ldc));
    }
  }

  /** Rows {@code from..to} of y := b (rounded to float32 in a float32 block). */
  private static void fillRows(DenseBlock y, double[] b, int from, int to) {
    int k = y.numCols();
    if (y.dtype() == DType.FLOAT64) {
      double[] yv = y.doubles();
      for (int r = from; r < to; r++) {
        System.arraycopy(b, 0, yv, r * k, k);
      }
    } else {
      // Rounded in place: this runs once per panel, so no per-call float32 copy of b.
      float[] yv = y.floats();
      for (int r = from; r < to; r++) {
        for (int j = 0; j < k; j++) {
          yv[r * k + j] = (float) b[j];
        }
      }
    }
  }

  private static void requireSameDType(String what, DenseBlock a, DenseBlock b, DenseBlock c) {
    if (a.dtype() != b.dtype() || a.dtype() != c.dtype()) {
      throw new IllegalArgumentException("Cannot compute " + what + " on mixed dtypes: "
          + a.dtype().label() + ", " + b.dtype().label() + ", " + c.dtype().label()
          + " (convert w to the data's dtype once, before the pass)");
    }
  }
}
