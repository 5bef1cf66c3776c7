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

  /** act'(z) from the formulas (gelu: the usual form with t = tanh u). */
  static double actDerivative(Activation act, double z) {
    double c = Math.sqrt(2 / Math.PI);
    return switch (act) {
      case IDENTITY -> 1;
      case RELU -> z > 0 ? 1 : 0;
      case LEAKY_RELU -> z > 0 ? 1 : 0.01;
      case TANH -> 1 - Math.tanh(z) * Math.tanh(z);
      case SIGMOID -> act(act, z) * (1 - act(act, z));
      case GELU -> {
        double t = Math.tanh(c * (z + 0.044715 * z * z * z));
        yield 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
      }
    };
  }

  /** The heads' G = dL/dY over the whole block (n = its rows), as {@link #loss} defines L. */
  static double[][] headGradient(String head, double[][] y, double[][] targets, int[] classes) {
    int n = y.length;
    double[][] g = new double[n][];
    for (int r = 0; r < n; r++) {
      int k = y[r].length;
      g[r] = new double[k];
      double max = Double.NEGATIVE_INFINITY;
      double s = 0;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, y[r][j]);
      }
      for (int j = 0; j < k; j++) {
        s += Math.exp(y[r][j] - max);
      }
      for (int j = 0; j < k; j++) {
        g[r][j] = switch (head) {
          case "sum" -> 1;
          case "mean" -> 1.0 / n;
          case "mse" -> 2 * (y[r][j] - targets[r][j]) / n;
          case "softmax-ce" -> (Math.exp(y[r][j] - max) / s - (classes[r] == j ? 1 : 0)) / n;
          case "supplied" -> targets[r][j];
          default -> throw new IllegalArgumentException(head);
        };
      }
    }
    return g;
  }

  /**
   * Backprop by loops from G = dL/dY: returns the flat dθ (θ's order) and fills {@code dx}
   * (n x d_0) when not null.
   */
  static double[] backward(int[] sizes, List<Activation> acts, double[] theta, double[][] x,
      double[][] g, double[][] dx) {
    int layers = sizes.length - 1;
    int n = x.length;
    // forward, keeping every layer's input A_l and pre-activation Z_l
    double[][][] a = new double[layers + 1][][];
    double[][][] z = new double[layers][][];
    int[] offsets = new int[layers];
    a[0] = x;
    int at = 0;
    for (int l = 0; l < layers; l++) {
      offsets[l] = at;
      int d = sizes[l];
      int k = sizes[l + 1];
      z[l] = new double[n][k];
      a[l + 1] = new double[n][k];
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < k; j++) {
          double sum = theta[at + d * k + j];
          for (int p = 0; p < d; p++) {
            sum += a[l][r][p] * theta[at + p * k + j];
          }
          z[l][r][j] = sum;
          a[l + 1][r][j] = l + 1 < layers ? act(acts.get(l), sum) : sum;
        }
      }
      at += d * k + k;
    }
    double[] grad = new double[at];
    double[][] gl = g;
    for (int l = layers - 1; l >= 0; l--) {
      int d = sizes[l];
      int k = sizes[l + 1];
      double[][] below = new double[n][d];
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < k; j++) {
          grad[offsets[l] + d * k + j] += gl[r][j];                  // db_l = 1ᵀ G_l
          for (int p = 0; p < d; p++) {
            grad[offsets[l] + p * k + j] += a[l][r][p] * gl[r][j];   // dW_l = A_lᵀ G_l
            below[r][p] += gl[r][j] * theta[offsets[l] + p * k + j];  // G_l W_lᵀ
          }
        }
      }
      if (l > 0) {
        for (int r = 0; r < n; r++) {
          for (int p = 0; p < d; p++) {
            below[r][p] *= actDerivative(acts.get(l - 1), z[l - 1][r][p]);
          }
        }
      } else if (dx != null) {
        for (int r = 0; r < n; r++) {
          System.arraycopy(below[r], 0, dx[r], 0, d);
        }
      }
      gl = below;
    }
    return grad;
  }
}
