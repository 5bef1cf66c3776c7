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
