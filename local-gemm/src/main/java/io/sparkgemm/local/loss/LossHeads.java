package io.sparkgemm.local.loss;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.Arrays;
import java.util.List;

/**
 * The loss heads (n below is the global row count):
 *
 * <pre>
 *   sum         L = Σ y                          g = 1
 *   mean        L = Σ y / n                      g = 1/n
 *   mse         L = ||y − t||² / n               g = 2 (y − t) / n
 *   softmax-ce  L = Σᵢ (lse(yᵢ) − yᵢ[cᵢ]) / n     g = (softmax(y) − onehot(c)) / n
 *   supplied    L = ⟨g_supplied, y⟩              g = g_supplied
 * </pre>
 *
 * The supplied head's L is the linear surrogate whose gradient is the supplied g, so that it can
 * be checked like the others.
 */
public final class LossHeads {
  public static final List<String> NAMES = Loss.labels(List.of(Loss.values()));

  private LossHeads() {
  }

  /** The head called {@code name}; {@code globalRows} is the batch's total row count n. */
  public static LossHead of(String name, long globalRows) {
    return of(Loss.parse(name), globalRows);
  }

  /** The head for {@code loss}; {@code globalRows} is the batch's total row count n. */
  public static LossHead of(Loss loss, long globalRows) {
    if (globalRows < 1 && loss.averages()) {
      throw new IllegalArgumentException("Loss '" + loss.label() + "' averages over rows, so it "
          + "needs at least one row; got " + globalRows);
    }
    return switch (loss) {
      case SUM -> new Constant("sum", 1.0);
      case MEAN -> new Constant("mean", 1.0 / globalRows);
      case MSE -> new MeanSquaredError(globalRows);
      case SOFTMAX_CE -> new SoftmaxCrossEntropy(globalRows);
      case SUPPLIED -> new Supplied();
    };
  }

  /** L = scale · Σ y, g = scale. */
  private static final class Constant implements LossHead {
    private final String name;
    private final double scale;

    Constant(String name, double scale) {
      this.name = name;
      this.scale = scale;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean needsLabels() {
      return false;
    }

    @Override
    public double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g, int from, int to) {
      requireSameShape(y, g, from, to);
      int start = from * y.numCols();
      int end = to * y.numCols();
      double sum = 0.0;
      if (y.dtype() == DType.FLOAT64) {
        double[] yv = y.doubles();
        for (int i = start; i < end; i++) {
          sum += yv[i];
        }
        Arrays.fill(g.doubles(), start, end, scale);
      } else {
        float[] yv = y.floats();
        for (int i = start; i < end; i++) {
          sum += yv[i];
        }
        Arrays.fill(g.floats(), start, end, (float) scale);
      }
      return scale * sum;
    }
  }

  private static final class MeanSquaredError implements LossHead {
    private final double invRows;

    MeanSquaredError(long globalRows) {
      this.invRows = 1.0 / globalRows;
    }

    @Override
    public String name() {
      return "mse";
    }

    @Override
    public boolean needsLabels() {
      return true;
    }

    @Override
    public double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g, int from, int to) {
      requireSameShape(y, g, from, to);
      DenseBlock t = labels == null ? null : labels.requireTargets("mse", y);
      if (t == null) {
        throw new IllegalArgumentException("Loss 'mse' needs targets; none were given");
      }
      double sum = 0.0;
      if (y.dtype() == DType.FLOAT64 && t.dtype() == DType.FLOAT64) {
        double[] yv = y.doubles();
        double[] tv = t.doubles();
        double[] gv = g.doubles();
        for (int i = from * y.numCols(); i < to * y.numCols(); i++) {
          double e = yv[i] - tv[i];
          sum += e * e;
          gv[i] = 2.0 * e * invRows;
        }
        return sum * invRows;
      }
      for (int r = from; r < to; r++) {
        for (int c = 0; c < y.numCols(); c++) {
          double e = y.get(r, c) - t.get(r, c);
          sum += e * e;
          g.set(r, c, 2.0 * e * invRows);
        }
      }
      return sum * invRows;
    }
  }

  private static final class SoftmaxCrossEntropy implements LossHead {
    private final double invRows;

    SoftmaxCrossEntropy(long globalRows) {
      this.invRows = 1.0 / globalRows;
    }

    @Override
    public String name() {
      return "softmax-ce";
    }

    @Override
    public boolean needsLabels() {
      return true;
    }

    @Override
    public double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g, int from, int to) {
      requireSameShape(y, g, from, to);
      if (labels == null) {
        throw new IllegalArgumentException("Loss 'softmax-ce' needs integer class labels; "
            + "none were given");
      }
      int[] classes = labels.requireClasses("softmax-ce", y);
      int k = y.numCols();
      if (y.dtype() == DType.FLOAT64) {
        return float64(y.doubles(), g.doubles(), classes, from, to, k, y);
      }
      return float32(y.floats(), g.floats(), classes, from, to, k, y);
    }

    /** Row r's class id, refused with its row id when it is not in 0..k-1. */
    private static int checkedLabel(int[] classes, int r, int k, DenseBlock y) {
      int label = classes[r];
      if (label < 0 || label >= k) {
        throw new IllegalArgumentException("Class label " + label + " at row id " + y.rowId(r)
            + " is out of range: y has " + k + " classes, so labels must be in 0.." + (k - 1));
      }
      return label;
    }

    /** The float32 path: sums and exps in float64, one exp per entry, g rounded once. */
    private double float32(float[] yv, float[] gv, int[] classes, int from, int to, int k,
        DenseBlock y) {
      double[] e = new double[k];
      double total = 0.0;
      for (int r = from; r < to; r++) {
        int label = checkedLabel(classes, r, k, y);
        int off = r * k;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          max = Math.max(max, yv[off + c]);
        }
        double sumExp = 0.0;
        for (int c = 0; c < k; c++) {
          e[c] = Math.exp(yv[off + c] - max);
          sumExp += e[c];
        }
        total += max + Math.log(sumExp) - yv[off + label];
        double scale = invRows / sumExp;
        for (int c = 0; c < k; c++) {
          gv[off + c] = (float) (e[c] * scale);
        }
        gv[off + label] = (float) (e[label] * scale - invRows);
      }
      return total * invRows;
    }

    /**
     * The float64 path: one exp per entry (kept in g, then scaled), arrays read directly; the exp
     * is {@link SoftmaxExp}'s (within 1 ulp of Math.exp, faster).
     */
    private double float64(double[] yv, double[] gv, int[] classes, int from, int to, int k,
        DenseBlock y) {
      double total = 0.0;
      for (int r = from; r < to; r++) {
        int label = checkedLabel(classes, r, k, y);
        int off = r * k;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          max = Math.max(max, yv[off + c]);
        }
        double sumExp = 0.0;
        for (int c = 0; c < k; c++) {
          double e = SoftmaxExp.exp(yv[off + c] - max);
          gv[off + c] = e;
          sumExp += e;
        }
        total += max + Math.log(sumExp) - yv[off + label];
        double scale = invRows / sumExp;
        for (int c = 0; c < k; c++) {
          gv[off + c] *= scale;
        }
        gv[off + label] -= invRows;
      }
      return total * invRows;
    }
  }

  private static final class Supplied implements LossHead {
    @Override
    public String name() {
      return "supplied";
    }

    @Override
    public boolean needsLabels() {
      return true;
    }

    @Override
    public double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g, int from, int to) {
      requireSameShape(y, g, from, to);
      if (labels == null) {
        throw new IllegalArgumentException("No upstream gradient was supplied");
      }
      DenseBlock supplied = labels.requireGradient(y);
      double surrogate = 0.0;
      for (int r = from; r < to; r++) {
        for (int c = 0; c < y.numCols(); c++) {
          double v = supplied.get(r, c);
          surrogate += v * y.get(r, c);
          g.set(r, c, v);
        }
      }
      return surrogate;
    }
  }

  private static void requireSameShape(DenseBlock y, DenseBlock g, int from, int to) {
    LossHead.checkRows(y, from, to);
    if (y.numRows() != g.numRows() || y.numCols() != g.numCols() || y.dtype() != g.dtype()) {
      throw new IllegalArgumentException("Gradient block g is " + g.shape() + " "
          + g.dtype().label() + " but y is " + y.shape() + " " + y.dtype().label()
          + " (g = dL/dY must have y's shape and dtype)");
    }
  }
}
