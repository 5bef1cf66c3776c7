package io.sparkgemm.spark.pass;

import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import java.util.Collections;
import java.util.List;

/**
 * The tests' oracle for networks: forward and backward row by row with plain loops, from the
 * definitions (z_l = a_l W_l + b_l, a_{l+1} = act(z_l); g_{l-1} = (g_l W_lᵀ) ⊙ act'(z_{l-1})),
 * independent of the kernels' panels and GEMMs. θ is laid out layer by layer, W_l row-major then
 * b_l; offsets are computed here, not read from {@link Network}.
 */
public final class NaiveNetwork {
  private final int[] sizes;
  private final List<Activation> activations;

  public NaiveNetwork(int[] sizes, List<Activation> activations) {
    this.sizes = sizes.clone();
    this.activations = activations;
  }

  /** Every hidden layer with the activation the CLI names {@code activation}. */
  public NaiveNetwork(int[] sizes, String activation) {
    this(sizes, Collections.nCopies(sizes.length - 2, Activation.parse(activation)));
  }

  /** Σ_l d_l·d_{l+1} + d_{l+1}, θ's length. */
  public int numParameters() {
    return weightAt(layers());
  }

  /** The loss (mean over the rows given) and the flat gradient in θ's order, and dX. */
  public record Result(double loss, double[] gradient, double[][] dx) {
  }

  private int layers() {
    return sizes.length - 1;
  }

  private int weightAt(int layer) {
    int at = 0;
    for (int l = 0; l < layer; l++) {
      at += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    return at;
  }

  private int biasAt(int layer) {
    return weightAt(layer) + sizes[layer] * sizes[layer + 1];
  }

  /** z of every layer for one row: zs[l] = a_l W_l + b_l; as[l] = a_l (as[0] = x). */
  private double[][][] forward(double[] theta, double[] x) {
    double[][] as = new double[layers() + 1][];
    double[][] zs = new double[layers()][];
    as[0] = x;
    for (int l = 0; l < layers(); l++) {
      int d = sizes[l];
      int k = sizes[l + 1];
      double[] z = new double[k];
      for (int j = 0; j < k; j++) {
        double s = theta[biasAt(l) + j];
        for (int i = 0; i < d; i++) {
          s += as[l][i] * theta[weightAt(l) + i * k + j];
        }
        z[j] = s;
      }
      zs[l] = z;
      if (l < layers() - 1) {
        double[] a = new double[k];
        for (int j = 0; j < k; j++) {
          a[j] = act(activations.get(l), z[j]);
        }
        as[l + 1] = a;
      }
    }
    return new double[][][] {as, zs};
  }

  /** The network's output (logits) for one row. */
  public double[] output(double[] theta, double[] x) {
    double[][] zs = forward(theta, x)[1];
    return zs[layers() - 1];
  }

  /** Row-wise softmax of the output. */
  public double[] softmax(double[] theta, double[] x) {
    double[] y = output(theta, x);
    double max = Double.NEGATIVE_INFINITY;
    for (double v : y) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[y.length];
    for (int c = 0; c < y.length; c++) {
      p[c] = Math.exp(y[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < y.length; c++) {
      p[c] /= sum;
    }
    return p;
  }

  /**
   * The mse (targets != null) or softmax-ce (classes) loss averaged over {@code rows} and its
   * gradient, summed over the rows listed.
   */
  public Result gradient(double[] theta, double[][] x, double[][] targets, int[] classes,
      int[] rows) {
    double n = rows.length;
    double[] grad = new double[theta.length];
    double[][] dx = new double[x.length][];
    double loss = 0;
    int top = layers() - 1;
    for (int r : rows) {
      double[][][] f = forward(theta, x[r]);
      double[][] as = f[0];
      double[][] zs = f[1];
      double[] y = zs[top];
      double[] g = new double[y.length];
      if (targets != null) {
        for (int c = 0; c < y.length; c++) {
          double e = y[c] - targets[r][c];
          loss += e * e / n;
          g[c] = 2 * e / n;
        }
      } else {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : y) {
          max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : y) {
          sum += Math.exp(v - max);
        }
        loss += (max + Math.log(sum) - y[classes[r]]) / n;
        for (int c = 0; c < y.length; c++) {
          g[c] = (Math.exp(y[c] - max) / sum - (c == classes[r] ? 1 : 0)) / n;
        }
      }
      for (int l = top; l >= 0; l--) {
        int d = sizes[l];
        int k = sizes[l + 1];
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < k; j++) {
            grad[weightAt(l) + i * k + j] += as[l][i] * g[j];
          }
        }
        for (int j = 0; j < k; j++) {
          grad[biasAt(l) + j] += g[j];
        }
        double[] below = new double[d];
        for (int i = 0; i < d; i++) {
          double s = 0;
          for (int j = 0; j < k; j++) {
            s += g[j] * theta[weightAt(l) + i * k + j];
          }
          below[i] = l > 0 ? s * derivative(activations.get(l - 1), zs[l - 1][i]) : s;
        }
        if (l == 0) {
          dx[r] = below;
        }
        g = below;
      }
    }
    return new Result(loss, grad, dx);
  }

  private static double act(Activation a, double z) {
    return switch (a) {
      case IDENTITY -> z;
      case RELU -> Math.max(0, z);
      case TANH -> Math.tanh(z);
      case SIGMOID -> 1 / (1 + Math.exp(-z));
      default -> throw new IllegalArgumentException("The oracle has no " + a.label());
    };
  }

  private static double derivative(Activation a, double z) {
    return switch (a) {
      case IDENTITY -> 1;
      case RELU -> z > 0 ? 1 : 0;
      case TANH -> 1 - Math.tanh(z) * Math.tanh(z);
      case SIGMOID -> {
        double s = 1 / (1 + Math.exp(-z));
        yield s * (1 - s);
      }
      default -> throw new IllegalArgumentException("The oracle has no " + a.label());
    };
  }

  /** |a - r| <= rtol · max|r| for every index; the message names the index and both values. */
  public static void assertClose(double[] actual, double[] expected, double rtol, String what) {
    if (actual.length != expected.length) {
      throw new AssertionError(what + ": " + actual.length + " values, expected "
          + expected.length);
    }
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double limit = rtol * Math.max(scale, 1e-300);
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= limit)) {
        throw new AssertionError(what + " differs at index " + i + ": " + actual[i]
            + " vs expected " + expected[i] + " (limit " + limit + ")");
      }
    }
  }

  /** The index of the largest value (the first of equal ones): a row's predicted class. */
  public static int argmax(double[] y) {
    int best = 0;
    for (int j = 1; j < y.length; j++) {
      if (y[j] > y[best]) {
        best = j;
      }
    }
    return best;
  }
}
