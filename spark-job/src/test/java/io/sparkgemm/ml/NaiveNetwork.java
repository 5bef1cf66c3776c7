package io.sparkgemm.ml;

/**
 * The independent reference for networks: plain loops over double[][] rows, no project
 * kernels. θ is laid out layer by layer, W_l (d_l x d_{l+1}, row-major) then b_l; hidden
 * activations are sigmoid, identity, relu or tanh, named as the CLI names them.
 */
public final class NaiveNetwork {
  private final int[] sizes;
  private final String activation;

  /** f(θ) and ∇f(θ) of the mean softmax cross-entropy. */
  public record Evaluation(double value, double[] gradient) {
  }

  public NaiveNetwork(int[] sizes, String activation) {
    this.sizes = sizes.clone();
    this.activation = activation;
  }

  public int numParameters() {
    int p = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      p += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    return p;
  }

  private double act(double z) {
    return switch (activation) {
      case "sigmoid" -> 1 / (1 + Math.exp(-z));
      case "identity" -> z;
      case "relu" -> Math.max(0, z);
      case "tanh" -> Math.tanh(z);
      default -> throw new IllegalArgumentException(activation);
    };
  }

  /** act'(z) from z and a = act(z). */
  private double slope(double z, double a) {
    return switch (activation) {
      case "sigmoid" -> a * (1 - a);
      case "identity" -> 1;
      case "relu" -> z > 0 ? 1 : 0;
      case "tanh" -> 1 - a * a;
      default -> throw new IllegalArgumentException(activation);
    };
  }

  /** Every layer's input A_l (A_0 = x) and pre-activation Z_l, for one row. */
  private double[][][] layers(double[] x, double[] theta) {
    int count = sizes.length - 1;
    double[][] a = new double[count + 1][];
    double[][] z = new double[count][];
    a[0] = x;
    int offset = 0;
    for (int l = 0; l < count; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      z[l] = new double[out];
      for (int j = 0; j < out; j++) {
        double s = theta[offset + in * out + j];
        for (int i = 0; i < in; i++) {
          s += a[l][i] * theta[offset + i * out + j];
        }
        z[l][j] = s;
      }
      offset += in * out + out;
      if (l + 1 < count) {
        a[l + 1] = new double[out];
        for (int j = 0; j < out; j++) {
          a[l + 1][j] = act(z[l][j]);
        }
      }
    }
    return new double[][][] {a, z};
  }

  /** The logits y = Z_{L-1} of one row. */
  public double[] forward(double[] x, double[] theta) {
    double[][] z = layers(x, theta)[1];
    return z[z.length - 1].clone();
  }

  /** Mean cross-entropy of softmax(y) against {@code labels}, and its gradient. */
  public Evaluation evaluate(double[][] x, int[] labels, double[] theta) {
    int count = sizes.length - 1;
    int n = x.length;
    double[] grad = new double[theta.length];
    int[] offsets = new int[count];
    for (int l = 1; l < count; l++) {
      offsets[l] = offsets[l - 1] + sizes[l - 1] * sizes[l] + sizes[l];
    }
    double loss = 0;
    for (int r = 0; r < n; r++) {
      double[][][] az = layers(x[r], theta);
      double[][] a = az[0];
      double[][] z = az[1];
      double[] y = z[count - 1];
      double max = Double.NEGATIVE_INFINITY;
      for (double v : y) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : y) {
        sum += Math.exp(v - max);
      }
      loss += max + Math.log(sum) - y[labels[r]];
      double[] g = new double[y.length];
      for (int j = 0; j < y.length; j++) {
        g[j] = (Math.exp(y[j] - max) / sum - (j == labels[r] ? 1 : 0)) / n;
      }
      for (int l = count - 1; l >= 0; l--) {
        int in = sizes[l];
        int out = sizes[l + 1];
        for (int j = 0; j < out; j++) {
          grad[offsets[l] + in * out + j] += g[j];
          for (int i = 0; i < in; i++) {
            grad[offsets[l] + i * out + j] += a[l][i] * g[j];
          }
        }
        if (l > 0) {
          double[] below = new double[in];
          for (int i = 0; i < in; i++) {
            double s = 0;
            for (int j = 0; j < out; j++) {
              s += g[j] * theta[offsets[l] + i * out + j];
            }
            below[i] = s * slope(z[l - 1][i], a[l][i]);
          }
          g = below;
        }
      }
    }
    return new Evaluation(loss / n, grad);
  }
}
