package io.sparkgemm.local.backend;

import io.sparkgemm.local.Trans;

/**
 * The one place where row-major GEMM is mapped onto column-major BLAS.
 *
 * <p>A row-major r x c array read column-major is its c x r transpose. So the row-major product
 * {@code C = op(A) op(B)} (C m x n) is, column-major, {@code Cᵀ = op(B)ᵀ op(A)ᵀ} (Cᵀ n x m):
 * call BLAS with the operands swapped (B first), m and n swapped, the transpose flags kept as they
 * are and the same leading dimensions. No data moves.
 *
 * <p>{@link #rowMajor} states the mapping once for any kind of operand (host arrays at an
 * offset here, device pointers in the cuda backend); the array kernels below go through it.
 */
public abstract class ColumnMajorBlas extends AbstractGemmBackend {

  /**
   * A column-major GEMM {@code C = alpha op(A) op(B) + beta C} over operands of type {@code P};
   * alpha, beta and C are bound by the caller because the mapping leaves them as they are.
   */
  @FunctionalInterface
  public interface ColumnMajorGemm<P> {
    void gemm(Trans transA, Trans transB, int m, int n, int k, P a, int lda, P b, int ldb);
  }

  /**
   * Runs the row-major product {@code C (m x n) = op(A) op(B)} as the column-major call
   * {@code Cᵀ (n x m) = op(B)ᵀ op(A)ᵀ}.
   */
  public static <P> void rowMajor(Trans transA, Trans transB, int m, int n, int k, P a, int lda,
      P b, int ldb, ColumnMajorGemm<P> columnMajor) {
    columnMajor.gemm(transB, transA, n, m, k, b, ldb, a, lda);
  }

  /** A host array with the offset of its first element: the operand type of the array kernels. */
  private record At<A>(A values, int offset) {
  }

  @Override
  protected final void dgemmKernel(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda, double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc) {
    rowMajor(transA, transB, m, n, k, new At<>(a, offA), lda, new At<>(b, offB), ldb,
        (ta, tb, cm, cn, ck, ca, cla, cb, clb) -> columnMajorDgemm(ta, tb, cm, cn, ck, alpha,
            ca.values(), ca.offset(), cla, cb.values(), cb.offset(), clb, beta, c, offC, ldc));
  }

  @Override
  protected final void sgemmKernel(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc) {
    rowMajor(transA, transB, m, n, k, new At<>(a, offA), lda, new At<>(b, offB), ldb,
        (ta, tb, cm, cn, ck, ca, cla, cb, clb) -> columnMajorSgemm(ta, tb, cm, cn, ck, alpha,
            ca.values(), ca.offset(), cla, cb.values(), cb.offset(), clb, beta, c, offC, ldc));
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
