package io.sparkgemm.local.net;

import java.util.List;

/**
 * The tests' oracle: a network's forward pass and the loss heads by naive loops in float64,
 * written from the formulas, independent of the kernels, {@link Activation} and the heads.
 */
final class NetworkOracle {
  private NetworkOracle() {
  }

  /** act(z) from the formulas (gelu: the tanh approximation as usually written). */
  static double act(Activation act, double z) {
    return switch (act) {
      case IDENTITY -> z;
      case RELU -> z > 0 ? z : 0.0;
      case LEAKY_RELU -> z > 0 ? z : 0.01 * z;
      case TANH -> Math.tanh(z);
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-z));
      case GELU -> 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z
          * z)));
    };
  }

  /** Y = the network on x with θ, by triple loops. */
  static double[][] forward(int[] sizes, List<Activation> acts, double[] theta, double[][] x) {
    double[][] a = x;
    int at = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      int d = sizes[l];
      int k = sizes[l + 1];
      int bAt = at + d * k;
      double[][] z = new double[a.length][k];
      for (int r = 0; r < a.length; r++) {
        for (int j = 0; j < k; j++) {
          double sum = theta[bAt + j];
          for (int p = 0; p < d; p++) {
            sum += a[r][p] * theta[at + p * k + j];   // W_l[p][j], row-major
          }
          z[r][j] = l + 2 < sizes.length ? act(acts.get(l), sum) : sum;
        }
      }
      a = z;
      at = bAt + k;
    }
    return a;
  }

  /**
   * The heads' losses over the whole block (n = its rows): sum Σy, mean Σy/n, mse ||y − t||²/n,
   * softmax-ce Σ(lse(y_r) − y_r[c_r])/n, supplied ⟨G, y⟩.
   */
  static double loss(String head, double[][] y, double[][] targets, int[] classes) {
    int n = y.length;
    double total = 0.0;
    for (int r = 0; r < n; r++) {
      int k = y[r].length;
      switch (head) {
        case "sum", "mean" -> {
          for (int j = 0; j < k; j++) {
            total += y[r][j];
          }
        }
        case "mse" -> {
          for (int j = 0; j < k; j++) {
            double e = y[r][j] - targets[r][j];
            total += e * e;
          }
        }
        case "softmax-ce" -> {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < k; j++) {
            max = Math.max(max, y[r][j]);
          }
          double s = 0.0;
          for (int j = 0; j < k; j++) {
            s += Math.exp(y[r][j] - max);
          }
          total += max + Math.log(s) - y[r][classes[r]];
        }
        case "supplied" -> {
          for (int j = 0; j < k; j++) {
            total += targets[r][j] * y[r][j];
          }
        }
        default -> throw new IllegalArgumentException(head);
      }
    }
    return head.equals("sum") || head.equals("supplied") ? total : total / n;
  }
}
