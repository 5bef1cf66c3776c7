package io.sparkgemm.local.backend;

import io.sparkgemm.local.Trans;

/**
 * The naive triple loop, written directly in row-major terms (no BLAS, no layout mapping), so it
 * is an independent oracle for every other backend. Sums in float64 for both dtypes. Slow: for
 * tests and as a last-resort fallback one can name explicitly.
 */
public final class ReferenceGemm extends AbstractGemmBackend {
  public static final ReferenceGemm INSTANCE = new ReferenceGemm();

  private static final BackendInfo INFO =
      new BackendInfo("reference", "naive triple loop", "-", "spark-gemm", 1);

  private ReferenceGemm() {
  }

  @Override
  public String name() {
    return INFO.name();
  }

  @Override
  public BackendInfo info() {
    return INFO;
  }

  // op(X)[i][p] for a row-major X with row stride ld
  private static int at(Trans trans, int off, int ld, int i, int p) {
    return trans == Trans.N ? off + i * ld + p : off + p * ld + i;
  }

  @Override
  protected void dgemmKernel(Trans transA, Trans transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c,
      int offC, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0.0;
        for (int p = 0; p < k; p++) {
          sum += a[at(transA, offA, lda, i, p)] * b[at(transB, offB, ldb, p, j)];
        }
        int ci = offC + i * ldc + j;
        c[ci] = beta == 0.0 ? alpha * sum : alpha * sum + beta * c[ci];
      }
    }
  }

  @Override
  protected void sgemmKernel(Trans transA, Trans transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC,
      int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0.0;
        for (int p = 0; p < k; p++) {
          sum += (double) a[at(transA, offA, lda, i, p)] * b[at(transB, offB, ldb, p, j)];
        }
        int ci = offC + i * ldc + j;
        c[ci] = (float) (beta == 0.0f ? alpha * sum : alpha * sum + (double) beta * c[ci]);
      }
    }
  }
}
