package io.sparkgemm.local.backend;

import io.sparkgemm.local.Trans;
import java.util.Arrays;

/**
 * Checks every GEMM argument once, handles the cases BLAS implementations disagree on
 * (empty products, {@code alpha == 0}, {@code k == 0}), then hands the call to a kernel.
 * Subclasses supply only kernels.
 */
public abstract class AbstractGemmBackend implements GemmBackend {

  @Override
  public final void dgemm(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda, double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc) {
    checkDims(m, n, k);
    check("a", transA, m, k, a == null ? -1 : a.length, offA, lda);
    check("b", transB, k, n, b == null ? -1 : b.length, offB, ldb);
    check("c", Trans.N, m, n, c == null ? -1 : c.length, offC, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    if (alpha == 0.0 || k == 0) {
      // C = beta * C; BLAS does not read A or B here.
      for (int r = 0; r < m; r++) {
        int row = offC + r * ldc;
        if (beta == 0.0) {
          Arrays.fill(c, row, row + n, 0.0);
        } else if (beta != 1.0) {
          for (int j = row; j < row + n; j++) {
            c[j] *= beta;
          }
        }
      }
      return;
    }
    dgemmKernel(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  }

  @Override
  public final void sgemm(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc) {
    checkDims(m, n, k);
    check("a", transA, m, k, a == null ? -1 : a.length, offA, lda);
    check("b", transB, k, n, b == null ? -1 : b.length, offB, ldb);
    check("c", Trans.N, m, n, c == null ? -1 : c.length, offC, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    if (alpha == 0.0f || k == 0) {
      for (int r = 0; r < m; r++) {
        int row = offC + r * ldc;
        if (beta == 0.0f) {
          Arrays.fill(c, row, row + n, 0.0f);
        } else if (beta != 1.0f) {
          for (int j = row; j < row + n; j++) {
            c[j] *= beta;
          }
        }
      }
      return;
    }
    sgemmKernel(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  }

  /** Arguments are valid, {@code m, n, k >= 1} and {@code alpha != 0}. */
  protected abstract void dgemmKernel(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda, double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc);

  /** Arguments are valid, {@code m, n, k >= 1} and {@code alpha != 0}. */
  protected abstract void sgemmKernel(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc);

  private static void checkDims(int m, int n, int k) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("GEMM dimensions must be non-negative, got m=" + m
          + " n=" + n + " k=" + k);
    }
  }

  /**
   * Checks one operand: op(X) is rows x cols, so X is stored as rows x cols (N) or cols x rows (T)
   * with row stride ld.
   */
  private static void check(String name, Trans trans, int rows, int cols, int length, int off,
      int ld) {
    int storedRows = trans == Trans.N ? rows : cols;
    int storedCols = trans == Trans.N ? cols : rows;
    if (length < 0) {
      throw new IllegalArgumentException("GEMM operand " + name + " is null");
    }
    if (ld < Math.max(1, storedCols)) {
      throw new IllegalArgumentException("GEMM operand " + name + " is stored " + storedRows + "x"
          + storedCols + " (row-major) but its leading dimension is " + ld
          + " (must be >= max(1, " + storedCols + "))");
    }
    if (off < 0) {
      throw new IllegalArgumentException("GEMM operand " + name + " has negative offset " + off);
    }
    if (storedRows > 0 && storedCols > 0) {
      long last = off + (long) (storedRows - 1) * ld + storedCols;
      if (last > length) {
        throw new IllegalArgumentException("GEMM operand " + name + " is stored " + storedRows
            + "x" + storedCols + " with leading dimension " + ld + " at offset " + off
            + ", which needs " + last + " values, but its array has " + length);
      }
    }
  }
}
