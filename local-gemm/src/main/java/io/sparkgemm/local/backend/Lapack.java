package io.sparkgemm.local.backend;

import dev.ludovic.netlib.lapack.LAPACK;
import io.sparkgemm.local.DenseBlock;
import org.netlib.util.intW;

/**
 * The few dense factorisations spark-gemm needs, through netlib LAPACK (native from the same
 * OpenBLAS as the GEMMs when that is loaded, else netlib's pure-Java LAPACK).
 */
public final class Lapack {
  private Lapack() {
  }

  /**
   * Singular values of a float64 or float32 matrix, largest first (dgesdd, values only).
   * The matrix is not modified.
   */
  public static double[] singularValues(DenseBlock a) {
    int m = a.numRows();
    int n = a.numCols();
    int p = Math.min(m, n);
    if (p == 0) {
      return new double[0];
    }
    // Row-major m x n is column-major n x m (the transpose): same singular values.
    double[] work64 = a.toDType(io.sparkgemm.local.DType.FLOAT64).doubles().clone();
    double[] s = new double[p];
    LAPACK lapack = NativeBlas.lapack();
    intW info = new intW(0);
    double[] query = new double[1];
    int[] iwork = new int[8 * p];
    lapack.dgesdd("N", n, m, work64, Math.max(1, n), s, new double[1], 1, new double[1], 1,
        query, -1, iwork, info);
    double[] work = new double[Math.max(1, (int) query[0])];
    lapack.dgesdd("N", n, m, work64, Math.max(1, n), s, new double[1], 1, new double[1], 1,
        work, work.length, iwork, info);
    if (info.val != 0) {
      throw new ArithmeticException("dgesdd did not converge for a " + a.shape() + " matrix "
          + "(info " + info.val + ")");
    }
    return s;
  }

  /** κ₂ = σ_max / σ_min (infinite when σ_min is 0). */
  public static double conditionNumber(DenseBlock a) {
    double[] s = singularValues(a);
    if (s.length == 0) {
      return Double.NaN;
    }
    return s[s.length - 1] == 0.0 ? Double.POSITIVE_INFINITY : s[0] / s[s.length - 1];
  }

  /**
   * The Q factor of a Householder QR (dgeqrf + dorgqr) of a column-major m x p matrix, m >= p,
   * with its columns' signs fixed so that R has a positive diagonal. Returns Q column-major.
   */
  public static double[] orthonormalColumns(double[] columnMajor, int m, int p) {
    double[] a = columnMajor.clone();
    double[] tau = new double[Math.max(1, p)];
    LAPACK lapack = NativeBlas.lapack();
    intW info = new intW(0);
    double[] query = new double[1];
    lapack.dgeqrf(m, p, a, Math.max(1, m), tau, query, -1, info);
    double[] work = new double[Math.max(1, (int) query[0])];
    lapack.dgeqrf(m, p, a, Math.max(1, m), tau, work, work.length, info);
    check(info, "dgeqrf");
    double[] signs = new double[p];
    for (int j = 0; j < p; j++) {
      signs[j] = a[j * m + j] < 0 ? -1.0 : 1.0;
    }
    lapack.dorgqr(m, p, p, a, Math.max(1, m), tau, query, -1, info);
    work = new double[Math.max(1, (int) query[0])];
    lapack.dorgqr(m, p, p, a, Math.max(1, m), tau, work, work.length, info);
    check(info, "dorgqr");
    for (int j = 0; j < p; j++) {
      for (int i = 0; i < m; i++) {
        a[j * m + i] *= signs[j];
      }
    }
    return a;
  }

  private static void check(intW info, String routine) {
    if (info.val != 0) {
      throw new ArithmeticException(routine + " failed (info " + info.val + ")");
    }
  }
}
