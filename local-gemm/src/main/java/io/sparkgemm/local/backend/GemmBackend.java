package io.sparkgemm.local.backend;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Trans;

/**
 * General matrix multiply on row-major host arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, with {@code op(A)} m x k, {@code op(B)} k x n and
 * {@code C} m x n. Leading dimensions are row strides of the arrays as stored (a stored r x c
 * matrix has {@code ld >= c}). {@code beta == 0} overwrites C (its old values, NaN included, are
 * ignored), as in BLAS.
 *
 * <p>Implementations are named by mechanism ({@code native}, {@code java}, {@code reference},
 * {@code cuda}); each is thread-safe. Shapes and bounds are checked once, in
 * {@link AbstractGemmBackend}.
 */
public interface GemmBackend {

  /** The name users select it by: {@code native}, {@code java}, {@code reference}, {@code cuda}. */
  String name();

  /** What is loaded: library file, version, threads. */
  BackendInfo info();

  /**
   * How many bytes of x a backward step should take at a time ({@code LinearKernels.backward}),
   * so that the rows it multiplies twice are still in the CPU cache the second time; 0 (the
   * default) for whole blocks, as on a device, where every call costs a launch and copies.
   */
  default long panelBytes() {
    return 0;
  }

  void dgemm(Trans transA, Trans transB, int m, int n, int k,
      double alpha, double[] a, int offA, int lda,
      double[] b, int offB, int ldb,
      double beta, double[] c, int offC, int ldc);

  void sgemm(Trans transA, Trans transB, int m, int n, int k,
      float alpha, float[] a, int offA, int lda,
      float[] b, int offB, int ldb,
      float beta, float[] c, int offC, int ldc);

  /**
   * {@code c += aᵀ a} for a row-major float64 {@code rows x cols} array {@code a}, into the
   * row-major {@code cols x cols} array {@code c} (the Gram matrix of a block of rows). Only the
   * lower triangle of c is guaranteed to be updated (BLAS dsyrk writes one triangle); callers
   * mirror it when done. This default multiplies with {@link #dgemm}; BLAS backends use dsyrk,
   * which does half the work.
   */
  default void gramUpdate(int rows, int cols, double[] a, double[] c) {
    // c: cols x cols += aᵀ a   (beta = 1: Gram matrices of row blocks add)
    dgemm(Trans.T, Trans.N, cols, cols, rows, 1.0, a, 0, Math.max(1, cols), a, 0,
        Math.max(1, cols), 1.0, c, 0, Math.max(1, cols));
  }

  /**
   * {@code c = alpha * op(a) * op(b) + beta * c} on whole blocks of one dtype. Modifies {@code c}
   * only. Float32 blocks take alpha and beta rounded to float32.
   *
   * @throws IllegalArgumentException naming all three shapes if they do not conform
   */
  default void gemm(Trans transA, Trans transB, double alpha, DenseBlock a, DenseBlock b,
      double beta, DenseBlock c) {
    int m = transA == Trans.N ? a.numRows() : a.numCols();
    int k = transA == Trans.N ? a.numCols() : a.numRows();
    int kb = transB == Trans.N ? b.numRows() : b.numCols();
    int n = transB == Trans.N ? b.numCols() : b.numRows();
    if (k != kb || c.numRows() != m || c.numCols() != n) {
      throw new IllegalArgumentException("Cannot multiply: op" + transA + "(a) of a " + a.shape()
          + " by op" + transB + "(b) of b " + b.shape() + " into c " + c.shape()
          + " (expected op(a) m x k, op(b) k x n, c m x n; got k=" + k + " vs " + kb
          + ", c should be " + m + "x" + n + ")");
    }
    if (a.dtype() != b.dtype() || a.dtype() != c.dtype()) {
      throw new IllegalArgumentException("Cannot multiply blocks of mixed dtype: a is "
          + a.dtype().label() + ", b is " + b.dtype().label() + ", c is " + c.dtype().label());
    }
    if (a.dtype() == DType.FLOAT64) {
      dgemm(transA, transB, m, n, k, alpha, a.doubles(), 0, Math.max(1, a.numCols()),
          b.doubles(), 0, Math.max(1, b.numCols()), beta, c.doubles(), 0, Math.max(1, n));
    } else {
      sgemm(transA, transB, m, n, k, (float) alpha, a.floats(), 0, Math.max(1, a.numCols()),
          b.floats(), 0, Math.max(1, b.numCols()), (float) beta, c.floats(), 0, Math.max(1, n));
    }
  }
}
