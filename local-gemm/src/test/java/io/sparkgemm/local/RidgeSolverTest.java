package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkgemm.local.backend.GemmBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The normal-equation solver against the gradient of its objective and a rank-deficient case. */
class RidgeSolverTest {

  /** [X 1]ᵀ[X 1] and [X 1]ᵀT by naive loops. */
  private static double[][] normalEquations(double[][] x, double[][] t) {
    int n = x.length;
    int d = x[0].length;
    int k = t[0].length;
    int p = d + 1;
    double[] gram = new double[p * p];
    double[] rhs = new double[p * k];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < p; i++) {
        double xi = i < d ? x[r][i] : 1.0;
        for (int j = 0; j < p; j++) {
          gram[i * p + j] += xi * (j < d ? x[r][j] : 1.0);
        }
        for (int c = 0; c < k; c++) {
          rhs[i * k + c] += xi * t[r][c];
        }
      }
    }
    return new double[][] {gram, rhs};
  }

  @Test
  void solutionZeroesTheGradientOfTheRidgeObjective() {
    Random random = new Random(3);
    int n = 40;
    int d = 5;
    int k = 2;
    double lambda = 0.7;
    double[][] x = new double[n][d];
    double[][] t = new double[n][k];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < d; i++) {
        x[r][i] = random.nextGaussian() + i;
      }
      for (int c = 0; c < k; c++) {
        t[r][c] = random.nextGaussian() * 3 + c;
      }
    }
    double[][] eq = normalEquations(x, t);
    RidgeSolver.Solution s = RidgeSolver.solve(eq[0], eq[1], d, k, lambda);
    assertThat(s.method()).isEqualTo("cholesky");
    assertThat(s.warning()).isNull();
    // ∇_W ||XW + b − T||² + λ||W||² = 2 Xᵀ(XW + b − T) + 2λW, ∇_b = 2·1ᵀ(XW + b − T)
    double[][] gw = new double[d][k];
    double[] gb = new double[k];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < k; c++) {
        double e = s.b()[c] - t[r][c];
        for (int i = 0; i < d; i++) {
          e += x[r][i] * s.w().get(i, c);
        }
        for (int i = 0; i < d; i++) {
          gw[i][c] += 2 * x[r][i] * e;
        }
        gb[c] += 2 * e;
      }
    }
    for (int i = 0; i < d; i++) {
      for (int c = 0; c < k; c++) {
        assertThat(gw[i][c] + 2 * lambda * s.w().get(i, c)).isCloseTo(0.0, within(1e-9));
      }
    }
    for (int c = 0; c < k; c++) {
      assertThat(gb[c]).isCloseTo(0.0, within(1e-9));
    }
    assertThat(s.normalResidual()).isLessThan(1e-13);
    assertThat(s.conditionNumber()).isGreaterThan(1.0).isFinite();
  }

  @Test
  void aSingularSystemFallsBackToTheMinimumNormSolutionWithAWarning() {
    // Column 1 duplicates column 0 and λ = 0: [X 1]ᵀ[X 1] is singular.
    double[][] x = {{1, 1}, {2, 2}, {3, 3}, {5, 5}};
    double[][] t = {{3}, {5}, {7}, {11}};   // t = 2·x0 + 1
    double[][] eq = normalEquations(x, t);
    RidgeSolver.Solution s = RidgeSolver.solve(eq[0], eq[1], 2, 1, 0.0);
    assertThat(s.method()).isEqualTo("eigen");
    assertThat(s.warning()).contains("minimum-norm solution");
    // Minimum norm splits the slope evenly between the twin columns.
    assertThat(s.w().get(0, 0)).isCloseTo(1.0, within(1e-9));
    assertThat(s.w().get(1, 0)).isCloseTo(1.0, within(1e-9));
    assertThat(s.b()[0]).isCloseTo(1.0, within(1e-9));
    assertThat(s.normalResidual()).isLessThan(1e-12);
  }

  @Test
  void exactlyCollinearFeaturesAreSolvedInTheMinimumNormSense() {
    // x3 = x0 + x1 in every row, λ = 0: [X 1] has rank 4 of 5, but rounding leaves the Gram
    // matrix numerically positive definite (κ near 1/ε), so Cholesky alone would "succeed".
    Random random = new Random(11);
    int n = 60;
    double[][] x = new double[n][4];
    double[][] t = new double[n][1];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < 3; i++) {
        x[r][i] = random.nextGaussian() * (1 + i);
      }
      x[r][3] = x[r][0] + x[r][1];
      t[r][0] = 0.5 * x[r][0] - x[r][1] + 2 * x[r][2] + 0.3 + 0.1 * random.nextGaussian();
    }
    double[][] eq = normalEquations(x, t);
    RidgeSolver.Solution s = RidgeSolver.solve(eq[0], eq[1], 4, 1, 0.0);
    assertThat(s.method()).isEqualTo("eigen");
    assertThat(s.warning()).contains("κ");

    // Oracle: least squares on the independent columns [x0 x1 x2 1] (Gaussian elimination on
    // their 4 x 4 normal equations), lifted to θ = (a0, a1, a2, 0, c), then the null direction
    // v = (1, 1, 0, -1, 0)/√3 of [X 1] projected out: the minimum-norm least-squares solution.
    double[][] reduced = new double[n][3];
    for (int r = 0; r < n; r++) {
      System.arraycopy(x[r], 0, reduced[r], 0, 3);
    }
    double[][] req = normalEquations(reduced, t);
    double[] a = gaussianSolve(req[0], req[1], 4);
    double[] theta = {a[0], a[1], a[2], 0, a[3]};
    double[] v = {1, 1, 0, -1, 0};
    double along = (theta[0] + theta[1] - theta[3]) / 3;
    double[] expected = new double[5];
    for (int i = 0; i < 5; i++) {
      expected[i] = theta[i] - along * v[i];
    }
    for (int i = 0; i < 4; i++) {
      assertThat(s.w().get(i, 0)).as("w[%d]", i).isCloseTo(expected[i], within(1e-9));
    }
    assertThat(s.b()[0]).isCloseTo(expected[4], within(1e-9));
  }

  /** Solves the p x p system a·θ = rhs (one right-hand side) by elimination with pivoting. */
  private static double[] gaussianSolve(double[] a, double[] rhs, int p) {
    double[][] m = new double[p][p + 1];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        m[i][j] = a[i * p + j];
      }
      m[i][p] = rhs[i];
    }
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] swap = m[c];
      m[c] = m[pivot];
      m[pivot] = swap;
      for (int r = 0; r < p; r++) {
        if (r != c) {
          double f = m[r][c] / m[c][c];
          for (int j = c; j <= p; j++) {
            m[r][j] -= f * m[c][j];
          }
        }
      }
    }
    double[] theta = new double[p];
    for (int i = 0; i < p; i++) {
      theta[i] = m[i][p] / m[i][i];
    }
    return theta;
  }

  @Test
  void gramUpdateOfEveryBackendMatchesTheNaiveProduct() {
    Random random = new Random(5);
    int rows = 13;
    int cols = 7;
    double[] a = new double[rows * cols];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextGaussian();
    }
    for (String name : new String[] {"reference", "native", "java"}) {
      GemmBackend backend = TestBackends.byName(name);
      double[] c = new double[cols * cols];
      c[0] = 1.0;   // beta = 1: adds to what is there
      backend.gramUpdate(rows, cols, a, c);
      for (int i = 0; i < cols; i++) {
        for (int j = 0; j <= i; j++) {
          double expected = i == 0 && j == 0 ? 1.0 : 0.0;
          for (int r = 0; r < rows; r++) {
            expected += a[r * cols + i] * a[r * cols + j];
          }
          assertThat(c[i * cols + j]).as("%s c[%d][%d]", backend.name(), i, j)
              .isCloseTo(expected, within(1e-12 * (1 + Math.abs(expected))));
        }
      }
    }
  }
}
