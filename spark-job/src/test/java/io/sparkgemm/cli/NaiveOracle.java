package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.fail;

import java.util.Random;

/**
 * The independent reference for the end-to-end tests: plain loops over double[][] matrices, no
 * project kernels. Shapes: x n x d, w d x k, b k, y and g n x k, dw d x k, db k, dx n x d.
 */
final class NaiveOracle {
  /** float64 outputs: |a − r| <= 1e-12·(1 + |r|). */
  static final double F64 = 1e-12;
  /** float32 blocks (sgemm, float32 outputs): |a − r| <= 1e-4·(1 + |r|). */
  static final double F32 = 1e-4;

  private NaiveOracle() {
  }

  /** A loss head's gradient g = dL/dY and its loss value. */
  record Head(double[][] g, double loss) {
  }

  /** dW = xᵀg, db = 1ᵀg, dx = g wᵀ. */
  record Grads(double[][] dw, double[] db, double[][] dx) {
  }

  static double[][] gaussian(Random random, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int c = 0; c < cols; c++) {
        row[c] = random.nextGaussian();
      }
    }
    return m;
  }

  static double[] gaussian(Random random, int length) {
    return gaussian(random, 1, length)[0];
  }

  static int[] classes(Random random, int n, int k) {
    int[] labels = new int[n];
    for (int r = 0; r < n; r++) {
      labels[r] = random.nextInt(k);
    }
    return labels;
  }

  /** y = x w + b. */
  static double[][] forward(double[][] x, double[][] w, double[] b) {
    int k = b.length;
    double[][] y = new double[x.length][k];
    for (int r = 0; r < x.length; r++) {
      for (int j = 0; j < k; j++) {
        double s = b[j];
        for (int i = 0; i < w.length; i++) {
          s += x[r][i] * w[i][j];
        }
        y[r][j] = s;
      }
    }
    return y;
  }

  static Grads grads(double[][] x, double[][] w, double[][] g) {
    int n = x.length;
    int d = w.length;
    int k = w[0].length;
    double[][] dw = new double[d][k];
    double[] db = new double[k];
    double[][] dx = new double[n][d];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        db[j] += g[r][j];
        for (int i = 0; i < d; i++) {
          dw[i][j] += x[r][i] * g[r][j];
          dx[r][i] += g[r][j] * w[i][j];
        }
      }
    }
    return new Grads(dw, db, dx);
  }

  /** sum: L = Σ y, g = 1; mean: L = Σ y / n, g = 1/n. */
  static Head constant(double[][] y, boolean mean) {
    double scale = mean ? 1.0 / y.length : 1.0;
    double[][] g = new double[y.length][y[0].length];
    double loss = 0;
    for (int r = 0; r < y.length; r++) {
      for (int j = 0; j < y[r].length; j++) {
        g[r][j] = scale;
        loss += y[r][j];
      }
    }
    return new Head(g, loss * scale);
  }

  /** L = ||y − t||² / n, g = 2 (y − t) / n. */
  static Head mse(double[][] y, double[][] t) {
    int n = y.length;
    double[][] g = new double[n][y[0].length];
    double loss = 0;
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < y[r].length; j++) {
        double e = y[r][j] - t[r][j];
        loss += e * e;
        g[r][j] = 2 * e / n;
      }
    }
    return new Head(g, loss / n);
  }

  /** L = Σ (log Σ exp y − y[c]) / n, g = (softmax(y) − onehot(c)) / n. */
  static Head softmaxCrossEntropy(double[][] y, int[] labels) {
    int n = y.length;
    double[][] g = new double[n][y[0].length];
    double loss = 0;
    for (int r = 0; r < n; r++) {
      double sumExp = 0;
      for (double v : y[r]) {
        sumExp += Math.exp(v);
      }
      loss += Math.log(sumExp) - y[r][labels[r]];
      for (int j = 0; j < y[r].length; j++) {
        g[r][j] = (Math.exp(y[r][j]) / sumExp - (j == labels[r] ? 1 : 0)) / n;
      }
    }
    return new Head(g, loss / n);
  }

  /** L = ⟨g, y⟩, the supplied head's linear surrogate. */
  static double surrogate(double[][] g, double[][] y) {
    double s = 0;
    for (int r = 0; r < y.length; r++) {
      for (int j = 0; j < y[r].length; j++) {
        s += g[r][j] * y[r][j];
      }
    }
    return s;
  }

  /** Rounds every value to float32 and back, as a float32 pass sees its inputs. */
  static double[][] roundToFloat(double[][] m) {
    double[][] out = new double[m.length][];
    for (int r = 0; r < m.length; r++) {
      out[r] = new double[m[r].length];
      for (int c = 0; c < m[r].length; c++) {
        out[r][c] = (float) m[r][c];
      }
    }
    return out;
  }

  static void assertClose(String what, double actual, double expected, double rtol) {
    if (!(Math.abs(actual - expected) <= rtol * (1 + Math.abs(expected)))) {
      fail(what + ": got " + actual + ", expected " + expected + " (rtol " + rtol + ")");
    }
  }

  static void assertClose(String what, double[] actual, double[] expected, double rtol) {
    if (actual.length != expected.length) {
      fail(what + ": length " + actual.length + ", expected " + expected.length);
    }
    for (int i = 0; i < expected.length; i++) {
      assertClose(what + "[" + i + "]", actual[i], expected[i], rtol);
    }
  }

  static void assertClose(String what, double[][] actual, double[][] expected, double rtol) {
    if (actual.length != expected.length) {
      fail(what + ": " + actual.length + " rows, expected " + expected.length);
    }
    for (int r = 0; r < expected.length; r++) {
      assertClose(what + "[" + r + "]", actual[r], expected[r], rtol);
    }
  }
}
