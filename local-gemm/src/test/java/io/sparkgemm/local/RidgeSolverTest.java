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
    assertThat(s.warning()).contains("not positive definite");
    // Minimum norm splits the slope evenly between the twin columns.
    assertThat(s.w().get(0, 0)).isCloseTo(1.0, within(1e-9));
    assertThat(s.w().get(1, 0)).isCloseTo(1.0, within(1e-9));
    assertThat(s.b()[0]).isCloseTo(1.0, within(1e-9));
    assertThat(s.normalResidual()).isLessThan(1e-12);
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
