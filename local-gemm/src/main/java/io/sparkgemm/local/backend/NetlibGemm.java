package io.sparkgemm.local.backend;

import dev.ludovic.netlib.blas.BLAS;
import io.sparkgemm.local.Trans;

/** GEMM through a netlib {@link BLAS} instance: JNIBLAS (native) or the pure-Java BLAS. */
final class NetlibGemm extends ColumnMajorBlas {
  private final BLAS blas;
  private final BackendInfo info;

  NetlibGemm(BLAS blas, BackendInfo info) {
    this.blas = blas;
    this.info = info;
  }

  @Override
  public String name() {
    return info.name();
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  /**
   * A fifth of a 1 MiB L2 cache (Skylake-SP and later server cores). Measured on this project's
   * 2-core AVX-512 machine by timing the backward step over panel sizes from 16 to 1024 rows:
   * at k = 10 and 32, panels of 128 to 256 KiB of x were fastest, 400 KiB to 1 MiB lost most of
   * the gain, and at k = 128 panels did not help (hence {@code LinearKernels.PANEL_MAX_K}).
   * {@code spark-gemm bench --shapes 200000x784x10}: the floor's gradient went from 0.68 s with
   * whole 4 MB blocks to 0.27 s with panels.
   */
  @Override
  public long panelBytes() {
    return PANEL_BYTES;
  }

  static final long PANEL_BYTES = 192 * 1024;

  /**
   * Row-major a (rows x cols) is column-major aᵀ (cols x rows, leading dimension cols), so
   * aᵀ a = (aᵀ)(aᵀ)ᵀ is dsyrk with trans "N". Its column-major upper triangle is the row-major
   * lower triangle.
   */
  @Override
  public void gramUpdate(int rows, int cols, double[] a, double[] c) {
    if (rows < 0 || cols < 0 || a.length < (long) rows * cols || c.length < (long) cols * cols) {
      throw new IllegalArgumentException("gramUpdate: a has " + a.length + " values for "
          + rows + "x" + cols + ", c has " + c.length + " for " + cols + "x" + cols);
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    blas.dsyrk("U", "N", cols, rows, 1.0, a, 0, cols, 1.0, c, 0, cols);
  }

  @Override
  protected void columnMajorDgemm(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda, double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc) {
    blas.dgemm(transA.blas(), transB.blas(), m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c,
        offC, ldc);
  }

  @Override
  protected void columnMajorSgemm(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc) {
    blas.sgemm(transA.blas(), transB.blas(), m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c,
        offC, ldc);
  }
}
