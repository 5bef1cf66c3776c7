package io.sparkgemm.local.net;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The nonlinearity after a hidden layer, element by element, a = act(z):
 *
 * <pre>
 *   identity    a = z                                  act' = 1
 *   relu        a = max(z, 0)                          act' = [a &gt; 0]
 *   leaky-relu  a = z (z &gt; 0), 0.01 z otherwise        act' = 1 (a &gt; 0), 0.01 otherwise
 *   tanh        a = tanh z                             act' = 1 − a²
 *   sigmoid     a = 1 / (1 + exp(−z))                  act' = a (1 − a)
 *   gelu        a = z σ(2u), u = √(2/π)(z + 0.044715 z³)   (from z)
 * </pre>
 *
 * Sigmoid is MLlib's formula exactly (its MLP's hidden layers), and safe at any |z|: exp(−z)
 * overflows to infinity for z &lt; −709 and 1 / ∞ = 0, never NaN. gelu is the tanh
 * approximation (Hendrycks and Gimpel, 2016; PyTorch's {@code approximate='tanh'}), written
 * with 0.5 (1 + tanh u) = σ(2u) so that it neither loses digits nor overflows for large |z|.
 * At z = 0, relu' is 0 and leaky-relu' is 0.01.
 *
 * <p>Backward needs act'(Z); every activation but gelu computes it exactly from A = act(Z)
 * (the same values forward computed), so the kernels keep A only; gelu ({@link #needsInput()})
 * keeps Z too. Float32 blocks compute in float64 and round once per value.
 */
public enum Activation {
  IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, GELU;

  /** The labels, in order. */
  public static final List<String> LABELS = Arrays.stream(values()).map(Activation::label)
      .toList();

  /** leaky-relu's slope for z &lt;= 0. */
  public static final double LEAKY_SLOPE = 0.01;

  /** √(2/π), gelu's scale. */
  private static final double GELU_SCALE = Math.sqrt(2.0 / Math.PI);
  private static final double GELU_CUBIC = 0.044715;

  /** The name users type: {@code identity, relu, leaky-relu, tanh, sigmoid, gelu}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The activation called {@code label} (any case). */
  public static Activation parse(String label) {
    int i = LABELS.indexOf(label == null ? "" : label.toLowerCase(Locale.ROOT));
    if (i >= 0) {
      return values()[i];
    }
    throw new IllegalArgumentException("Unknown activation '" + label + "': expected one of "
        + String.join(", ", LABELS));
  }

  /** act(z). */
  public double value(double z) {
    switch (this) {
      case IDENTITY:
        return z;
      case RELU:
        return Math.max(z, 0.0);
      case LEAKY_RELU:
        return z > 0 ? z : LEAKY_SLOPE * z;
      case TANH:
        return Math.tanh(z);
      case SIGMOID:
        return 1.0 / (1.0 + Math.exp(-z));
      case GELU: {
        double s = geluGate(z);
        return s == 0.0 ? 0.0 : z * s;
      }
      default:
        throw new AssertionError(this);
    }
  }

  /** act'(z), from z. */
  public double derivative(double z) {
    return this == GELU ? geluDerivative(z) : derivativeFromOutput(value(z));
  }

  /**
   * act'(z) from a = act(z), for every activation but gelu (which needs z: see
   * {@link #needsInput()}).
   */
  public double derivativeFromOutput(double a) {
    switch (this) {
      case IDENTITY:
        return 1.0;
      case RELU:
        return a > 0 ? 1.0 : 0.0;
      case LEAKY_RELU:
        return a > 0 ? 1.0 : LEAKY_SLOPE;
      case TANH:
        return 1.0 - a * a;
      case SIGMOID:
        return a * (1.0 - a);
      case GELU:
        throw new IllegalStateException("gelu's derivative needs z, not a = gelu(z)");
      default:
        throw new AssertionError(this);
    }
  }

  /** True when backward reads Z (gelu); every other activation reads A. */
  public boolean needsInput() {
    return this == GELU;
  }

  /** A = act(Z) in place over rows {@code from..to} of {@code block}. Modifies those rows. */
  public void apply(DenseBlock block, int from, int to) {
    apply(block, block, from, to);
  }

  /**
   * a = act(z) over rows {@code from..to} (z and a of one dtype and width; they may be the same
   * block). Modifies those rows of a only.
   */
  public void apply(DenseBlock z, DenseBlock a, int from, int to) {
    checkRows("apply", z, a, from, to);
    int start = from * z.numCols();
    int end = to * z.numCols();
    if (z.dtype() == DType.FLOAT64) {
      double[] zv = z.doubles();
      double[] av = a.doubles();
      if (this == RELU) {
        for (int i = start; i < end; i++) {
          av[i] = Math.max(zv[i], 0.0);
        }
      } else if (this != IDENTITY || zv != av) {
        for (int i = start; i < end; i++) {
          av[i] = value(zv[i]);
        }
      }
    } else {
      float[] zv = z.floats();
      float[] av = a.floats();
      if (this == RELU) {
        for (int i = start; i < end; i++) {
          av[i] = Math.max(zv[i], 0.0f);
        }
      } else if (this != IDENTITY || zv != av) {
        for (int i = start; i < end; i++) {
          av[i] = (float) value(zv[i]);
        }
      }
    }
  }

  /**
   * {@code g ⊙= act'(Z)} over rows {@code from..to}: the backward product through this
   * activation. {@code kept} is Z when {@link #needsInput()}, else A = act(Z). Modifies those
   * rows of g only.
   */
  public void backward(DenseBlock kept, DenseBlock g, int from, int to) {
    checkRows("backward", kept, g, from, to);
    if (this == IDENTITY) {
      return;
    }
    int start = from * g.numCols();
    int end = to * g.numCols();
    if (g.dtype() == DType.FLOAT64) {
      double[] kv = kept.doubles();
      double[] gv = g.doubles();
      if (this == RELU) {
        for (int i = start; i < end; i++) {
          gv[i] = kv[i] > 0 ? gv[i] : 0.0;
        }
      } else {
        for (int i = start; i < end; i++) {
          gv[i] *= keptDerivative(kv[i]);
        }
      }
    } else {
      float[] kv = kept.floats();
      float[] gv = g.floats();
      if (this == RELU) {
        for (int i = start; i < end; i++) {
          gv[i] = kv[i] > 0 ? gv[i] : 0.0f;
        }
      } else {
        for (int i = start; i < end; i++) {
          gv[i] = (float) (gv[i] * keptDerivative(kv[i]));
        }
      }
    }
  }

  /** act' from what the kernels keep: z for gelu, a otherwise. */
  private double keptDerivative(double kept) {
    return this == GELU ? geluDerivative(kept) : derivativeFromOutput(kept);
  }

  /** σ(2u) = 0.5 (1 + tanh u), u = √(2/π)(z + 0.044715 z³). */
  private static double geluGate(double z) {
    double u = GELU_SCALE * (z + GELU_CUBIC * z * z * z);
    return 1.0 / (1.0 + Math.exp(-2.0 * u));
  }

  /** d/dz [z σ(2u)] = σ + 2 z σ (1 − σ) u', u' = √(2/π)(1 + 3 · 0.044715 z²). */
  private static double geluDerivative(double z) {
    double s = geluGate(z);
    double q = s * (1.0 - s);
    // q is 0 once σ saturates; skip the term there, as z u' may be infinite (0 · ∞ is NaN)
    return q == 0.0 ? s
        : s + 2.0 * z * q * GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * z * z);
  }

  private void checkRows(String what, DenseBlock a, DenseBlock b, int from, int to) {
    if (a.dtype() != b.dtype() || a.numCols() != b.numCols()) {
      throw new IllegalArgumentException("Cannot " + what + " " + label() + ": the blocks are "
          + a.shape() + " " + a.dtype().label() + " and " + b.shape() + " " + b.dtype().label()
          + " (expected one dtype and width)");
    }
    if (from < 0 || to < from || to > a.numRows() || to > b.numRows()) {
      throw new IllegalArgumentException("Cannot " + what + " " + label() + " on rows " + from
          + ".." + to + " of blocks with " + a.numRows() + " and " + b.numRows() + " rows");
    }
  }
}
