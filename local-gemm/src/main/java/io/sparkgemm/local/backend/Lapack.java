package io.sparkgemm.local.backend;

import dev.ludovic.netlib.lapack.LAPACK;
import io.sparkgemm.local.DType;
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
    double[] work64 = a.toDType(DType.FLOAT64).doubles().clone();
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

  /**
   * Solves {@code a x = b} for a symmetric positive definite n x n {@code a} by Cholesky
   * (dpotrf, then dpotrs): no inverse is formed. {@code a} is overwritten by its factor (only
   * when it succeeds is it meaningful); {@code b}, n x nrhs row-major, is overwritten by x.
   *
   * @return false, with {@code b} untouched, when {@code a} is not positive definite
   */
  public static boolean choleskySolve(double[] a, int n, double[] b, int nrhs) {
    if (a.length < (long) n * n || b.length < (long) n * nrhs) {
      throw new IllegalArgumentException("choleskySolve: a has " + a.length + " values for "
          + n + "x" + n + ", b has " + b.length + " for " + n + "x" + nrhs);
    }
    if (n == 0) {
      return true;
    }
    LAPACK lapack = NativeBlas.lapack();
    intW info = new intW(0);
    // a is symmetric, so row-major and column-major agree; "L" reads one triangle.
    lapack.dpotrf("L", n, a, n, info);
    if (info.val > 0) {
      return false;
    }
    check(info, "dpotrf");
    // b row-major n x nrhs is column-major nrhs x n: transpose to the n x nrhs LAPACK wants.
    double[] columns = new double[n * nrhs];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < nrhs; j++) {
        columns[j * n + i] = b[i * nrhs + j];
      }
    }
    lapack.dpotrs("L", n, nrhs, a, n, columns, n, info);
    check(info, "dpotrs");
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < nrhs; j++) {
        b[i * nrhs + j] = columns[j * n + i];
      }
    }
    return true;
  }

  /**
   * Eigenvalues (ascending) of a symmetric n x n matrix, by dsyevd. With {@code vectors}, the
   * matrix is overwritten by the orthonormal eigenvectors: eigenvector j is
   * {@code a[j * n .. j * n + n)} (column-major); without, {@code a} is overwritten by scratch.
   */
  public static double[] symmetricEigen(double[] a, int n, boolean vectors) {
    double[] w = new double[n];
    if (n == 0) {
      return w;
    }
    LAPACK lapack = NativeBlas.lapack();
    intW info = new intW(0);
    String job = vectors ? "V" : "N";
    double[] query = new double[1];
    int[] iquery = new int[1];
    lapack.dsyevd(job, "L", n, a, n, w, query, -1, iquery, -1, info);
    double[] work = new double[Math.max(1, (int) query[0])];
    int[] iwork = new int[Math.max(1, iquery[0])];
    lapack.dsyevd(job, "L", n, a, n, w, work, work.length, iwork, iwork.length, info);
    if (info.val != 0) {
      throw new ArithmeticException("dsyevd did not converge for a " + n + "x" + n
          + " symmetric matrix (info " + info.val + ")");
    }
    return w;
  }

  private static void check(intW info, String routine) {
    if (info.val != 0) {
      throw new ArithmeticException(routine + " failed (info " + info.val + ")");
    }
  }
}
