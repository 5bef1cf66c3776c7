package io.sparkgemm.local.backend;

import io.sparkgemm.local.Trans;

/**
 * {@code auto} with a GPU: products of at least {@code minMultiplyAdds} (m·n·k) go to the GPU
 * backend, smaller ones stay on the CPU backend, where copying the operands over PCIe would cost
 * more than the product.
 */
final class RoutedGemm extends AbstractGemmBackend {
  /** 2^27 multiply-adds, e.g. 512 x 512 x 512: below this the copies outweigh the product. */
  static final long DEFAULT_MIN_MULTIPLY_ADDS = 1L << 27;

  private final GemmBackend large;
  private final GemmBackend small;
  private final long minMultiplyAdds;
  private final BackendInfo info;

  RoutedGemm(GemmBackend large, GemmBackend small, long minMultiplyAdds) {
    this.large = large;
    this.small = small;
    this.minMultiplyAdds = minMultiplyAdds;
    BackendInfo l = large.info();
    this.info = new BackendInfo(l.name(), l.implementation() + "; products under "
        + minMultiplyAdds + " multiply-adds on " + small.info().describe(), l.library(),
        l.version(), l.threads());
  }

  @Override
  public String name() {
    return large.name();
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  private GemmBackend pick(int m, int n, int k) {
    return (long) m * n * k >= minMultiplyAdds ? large : small;
  }

  @Override
  protected void dgemmKernel(Trans transA, Trans transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c,
      int offC, int ldc) {
    pick(m, n, k).dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c,
        offC, ldc);
  }

  @Override
  protected void sgemmKernel(Trans transA, Trans transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC,
      int ldc) {
    pick(m, n, k).sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c,
        offC, ldc);
  }
}
