package io.sparkgemm.local.backend;

import io.sparkgemm.local.Trans;

/**
 * The one place where row-major GEMM is mapped onto column-major BLAS.
 *
 * <p>A row-major r x c array read column-major is its c x r transpose. So the row-major product
 * {@code C = op(A) op(B)} (C m x n) is, column-major, {@code Cᵀ = op(B)ᵀ op(A)ᵀ} (Cᵀ n x m):
 * call BLAS with the operands swapped (B first), m and n swapped, the transpose flags kept as they
 * are and the same leading dimensions. No data moves.
 */
public abstract class ColumnMajorBlas extends AbstractGemmBackend {

  @Override
  protected final void dgemmKernel(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda, double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc) {
    columnMajorDgemm(transB, transA, n, m, k, alpha, b, offB, ldb, a, offA, lda, beta, c, offC,
        ldc);
  }

  @Override
  protected final void sgemmKernel(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc) {
    columnMajorSgemm(transB, transA, n, m, k, alpha, b, offB, ldb, a, offA, lda, beta, c, offC,
        ldc);
  }

  /** Plain column-major BLAS dgemm semantics. */
  protected abstract void columnMajorDgemm(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda, double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc);

  /** Plain column-major BLAS sgemm semantics. */
  protected abstract void columnMajorSgemm(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc);
}
