package io.sparkgemm.local;

import io.sparkgemm.local.backend.GemmBackend;

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
    requireSameDType("forward", x, w, y);
    if (x.numCols() != w.numRows() || y.numRows() != x.numRows() || y.numCols() != w.numCols()
        || b.length != w.numCols()) {
      throw new IllegalArgumentException("Cannot compute y = x w + b: x is " + x.shape()
          + ", w is " + w.shape() + ", b has " + b.length + " values, y is " + y.shape()
          + " (expected x n x d, w d x k, b k, y n x k)");
    }
    // y = b broadcast over rows, then y += x w (x: n x d, w: d x k, y: n x k). Starting from b
    // with beta = 1 spares the pass over y that beta = 0 costs (BLAS zeroes C first) plus a
    // second pass to add b.
    fillRows(y, b);
    backend.gemm(Trans.N, Trans.N, 1.0, x, w, 1.0, y);
  }

  /** Allocates dx (n x d, g's dtype and row ids) and computes {@code dx = g wᵀ}. */
  public DenseBlock inputGradient(DenseBlock g, DenseBlock w) {
    DenseBlock dx = DenseBlock.zeros(g.dtype(), g.numRows(), w.numRows());
    inputGradient(g, w, dx);
    return g.hasRowIds() ? dx.withRowIds(g.rowIds()) : dx;
  }

  /** {@code dx = g wᵀ}. Modifies dx only. */
  public void inputGradient(DenseBlock g, DenseBlock w, DenseBlock dx) {
    requireSameDType("input gradient", g, w, dx);
    if (g.numCols() != w.numCols() || dx.numRows() != g.numRows() || dx.numCols() != w.numRows()) {
      throw new IllegalArgumentException("Cannot compute dx = g wᵀ: g is " + g.shape()
          + ", w is " + w.shape() + ", dx is " + dx.shape()
          + " (expected g n x k, w d x k, dx n x d)");
    }
    // g: n x k   wᵀ: k x d   dx: n x d
    backend.gemm(Trans.N, Trans.T, 1.0, g, w, 0.0, dx);
  }

  /**
   * {@code dw += xᵀ g} and {@code db += 1ᵀ g}. Modifies {@code acc} only. Float32 blocks run
   * sgemm into a float32 partial that is then added into the float64 sums.
   */
  public void accumulateGradients(DenseBlock x, DenseBlock g, GradientAccumulator acc) {
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
    int d = x.numCols();
    int k = g.numCols();
    int n = x.numRows();
    if (x.dtype() == DType.FLOAT64) {
      // xᵀ: d x n   g: n x k   dw: d x k   (beta = 1: gradients add across blocks)
      backend.dgemm(Trans.T, Trans.N, d, k, n, 1.0, x.doubles(), 0, Math.max(1, d),
          g.doubles(), 0, Math.max(1, k), 1.0, acc.dw(), 0, Math.max(1, k));
      double[] gv = g.doubles();
      double[] db = acc.db();
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < k; j++) {
          db[j] += gv[r * k + j];
        }
      }
    } else {
      float[] partial = acc.scratch();
      // xᵀ: d x n   g: n x k   partial: d x k  (beta = 0), then dw += partial in float64
      backend.sgemm(Trans.T, Trans.N, d, k, n, 1.0f, x.floats(), 0, Math.max(1, d),
          g.floats(), 0, Math.max(1, k), 0.0f, partial, 0, Math.max(1, k));
      double[] dw = acc.dw();
      for (int i = 0; i < dw.length; i++) {
        dw[i] += partial[i];
      }
      float[] gv = g.floats();
      double[] db = acc.db();
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < k; j++) {
          db[j] += gv[r * k + j];
        }
      }
    }
  }

  /** Every row of y := b (rounded to float32 in a float32 block). */
  private static void fillRows(DenseBlock y, double[] b) {
    int n = y.numRows();
    int k = y.numCols();
    if (y.dtype() == DType.FLOAT64) {
      double[] yv = y.doubles();
      for (int r = 0; r < n; r++) {
        System.arraycopy(b, 0, yv, r * k, k);
      }
    } else {
      float[] yv = y.floats();
      float[] bf = new float[k];
      for (int j = 0; j < k; j++) {
        bf[j] = (float) b[j];
      }
      for (int r = 0; r < n; r++) {
        System.arraycopy(bf, 0, yv, r * k, k);
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
