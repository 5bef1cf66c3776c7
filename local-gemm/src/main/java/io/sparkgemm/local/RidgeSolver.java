package io.sparkgemm.local;

import io.sparkgemm.local.backend.Lapack;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ridge least squares with an unpenalised intercept, from the normal equations of the augmented
 * design [X 1] (d + 1 columns, the ones column last):
 *
 * <pre>
 *   A = [X 1]ᵀ[X 1] + λ·diag(1, …, 1, 0)      (d+1) x (d+1), symmetric
 *   B = [X 1]ᵀ T                              (d+1) x k
 *   A [W; bᵀ] = B                             W: d x k, b: k
 * </pre>
 *
 * solved by Cholesky (dpotrf/dpotrs), never through an explicit inverse. When A is numerically
 * singular (κ₂(A) ≥ 1/(p·ε): λ = 0 with collinear features or too few rows), Cholesky is not
 * trusted even if rounding lets it factor, and the minimum-norm solution is taken from A's
 * eigen-decomposition instead, with a WARN; the same happens if the factorisation fails.
 */
public final class RidgeSolver {
  private static final Logger LOG = LoggerFactory.getLogger(RidgeSolver.class);

  private RidgeSolver() {
  }

  /**
   * @param w d x k
   * @param b k
   * @param method {@code cholesky} or {@code eigen} (the fallback)
   * @param conditionNumber κ₂(A) = |λ|max / |λ|min of the system matrix (A is symmetric)
   * @param normalResidual ||A θ − B||_F / ||B||_F (0 when B is 0)
   * @param warning why the fallback ran, or null
   */
  public record Solution(DenseBlock w, double[] b, String method, double conditionNumber,
      double normalResidual, String warning) {
  }

  /**
   * @param gram [X 1]ᵀ[X 1], (d+1) x (d+1) row-major; only its lower triangle is read
   *     (not modified)
   * @param rhs [X 1]ᵀ T, (d+1) x k row-major (not modified)
   * @param lambda the ridge λ >= 0 added to the first d diagonal entries
   */
  public static Solution solve(double[] gram, double[] rhs, int d, int k, double lambda) {
    int p = d + 1;
    if (gram.length != p * p || rhs.length != p * k) {
      throw new IllegalArgumentException("Normal equations for d = " + d + ", k = " + k
          + " need a " + p + "x" + p + " Gram matrix and a " + p + "x" + k + " right-hand side; "
          + "got " + gram.length + " and " + rhs.length + " values");
    }
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("The ridge λ must be finite and >= 0, got " + lambda);
    }
    double[] a = new double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j <= i; j++) {
        a[i * p + j] = gram[i * p + j];
        a[j * p + i] = gram[i * p + j];
      }
    }
    for (int i = 0; i < d; i++) {
      a[i * p + i] += lambda;
    }
    double[] eigenvalues = Lapack.symmetricEigen(a.clone(), p, false);
    double largest = Math.max(Math.abs(eigenvalues[0]), Math.abs(eigenvalues[p - 1]));
    double smallest = Double.POSITIVE_INFINITY;
    for (double e : eigenvalues) {
      smallest = Math.min(smallest, Math.abs(e));
    }
    double kappa = smallest == 0 ? Double.POSITIVE_INFINITY : largest / smallest;

    double[] theta = rhs.clone();
    String method = "cholesky";
    String warning = null;
    // Numerical rank: eigenvalues at or below p·ε·|λ|max are rounding noise (the same cutoff
    // eigenSolve drops). A rank-deficient A may still factor after rounding, so test κ first.
    double rankCutoff = 1 / (p * Math.ulp(1.0));
    if (kappa >= rankCutoff) {
      method = "eigen";
      warning = String.format(Locale.ROOT, "The normal-equation matrix [X 1]ᵀ[X 1] + "
          + "λI is numerically singular (κ = %.3g, at or above 1/(p·ε) = %.3g; λ = %s): "
          + "features are collinear or there are too few rows, so the minimum-norm solution was "
          + "taken from its eigen-decomposition instead of Cholesky. Consider a larger ridge λ.",
          kappa, rankCutoff, lambda);
    } else if (!Lapack.choleskySolve(a.clone(), p, theta, k)) {
      method = "eigen";
      warning = "The normal-equation matrix [X 1]ᵀ[X 1] + λI is not positive definite "
          + "(κ = " + kappa + ", λ = " + lambda + "): Cholesky failed, so the minimum-norm "
          + "solution was taken from its eigen-decomposition. Consider a larger ridge λ.";
    }
    if (warning != null) {
      LOG.warn(warning);
      theta = eigenSolve(a, p, rhs, k);
    }
    double residual = relativeResidual(a, p, theta, rhs, k);
    double[] w = new double[d * k];
    System.arraycopy(theta, 0, w, 0, d * k);
    double[] b = new double[k];
    System.arraycopy(theta, d * k, b, 0, k);
    return new Solution(DenseBlock.ofDoubles(d, k, w), b, method, kappa, residual, warning);
  }

  /** θ = V diag(1/λ) Vᵀ B over the eigenvalues above the numerical-rank threshold. */
  private static double[] eigenSolve(double[] a, int p, double[] rhs, int k) {
    double[] v = a.clone();
    double[] values = Lapack.symmetricEigen(v, p, true);
    double max = 0;
    for (double e : values) {
      max = Math.max(max, Math.abs(e));
    }
    double cutoff = max * p * Math.ulp(1.0);
    double[] theta = new double[p * k];
    double[] coeff = new double[k];
    for (int j = 0; j < p; j++) {
      if (Math.abs(values[j]) <= cutoff) {
        continue;
      }
      // coeff = v_jᵀ B / λ_j   (eigenvector j is v[j*p .. j*p+p), column-major)
      Arrays.fill(coeff, 0.0);
      for (int i = 0; i < p; i++) {
        double vi = v[j * p + i];
        for (int c = 0; c < k; c++) {
          coeff[c] += vi * rhs[i * k + c];
        }
      }
      for (int i = 0; i < p; i++) {
        double vi = v[j * p + i] / values[j];
        for (int c = 0; c < k; c++) {
          theta[i * k + c] += vi * coeff[c];
        }
      }
    }
    return theta;
  }

  /** ‖A θ − rhs‖ / ‖rhs‖: A is p x p, θ and rhs p x k (row-major). */
  private static double relativeResidual(double[] a, int p, double[] theta, double[] rhs,
      int k) {
    double[] product = new double[p * k];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        double aij = a[i * p + j];
        for (int c = 0; c < k; c++) {
          product[i * k + c] += aij * theta[j * k + c];
        }
      }
    }
    return Norms.relativeError(product, rhs);
  }
}
