package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.Norms;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;

/**
 * f(θ) = loss(XW + b) + (reg/2)·||W||² and its gradient, one fused distributed pass per
 * evaluation. θ packs W (d x k, row-major) then b (k). Every evaluation broadcasts the new W and
 * b, and the pass destroys the broadcasts when it is done ({@link PassResult#close()}); the
 * cached blocks of X are reused. An evaluation whose loss or gradient is not finite stops
 * training with a {@link TrainingDivergedException} that names the iteration.
 */
public final class Objective {
  private final SparkSession spark;
  private final BlockedInput input;
  private final PassSpec pass;
  private final double reg;
  private final int d;
  private final int k;
  private final TreeSet<String> backends = new TreeSet<>();
  private int passes;
  private double passSeconds;
  private int treeDepth;

  /** The gradient has one entry per parameter; {@code gradientNorm} is its Euclidean norm. */
  public record Evaluation(double value, double loss, double[] gradient, double gradientNorm) {
  }

  public Objective(SparkSession spark, BlockedInput input, int outFeatures, TrainSpec spec) {
    this.spark = spark;
    this.input = input;
    this.reg = spec.regParam();
    this.d = input.numFeatures();
    this.k = outFeatures;
    this.pass = new PassSpec(spec.loss(), false, false, spec.dtype(), spec.backend(),
        spec.treeDepth());
  }

  public int numParameters() {
    return d * k + k;
  }

  public int inFeatures() {
    return d;
  }

  public int outFeatures() {
    return k;
  }

  /**
   * @param theta W then b (not modified)
   * @param iteration the iteration this evaluation belongs to, for the error message
   */
  public Evaluation evaluate(double[] theta, int iteration) {
    DenseBlock w = weights(theta);
    double[] b = bias(theta);
    GradientAccumulator g;
    try (PassResult result = LinearPass.run(spark, input, w, b, pass)) {
      g = result.gradients();
      passes++;
      passSeconds += result.seconds();
      treeDepth = result.treeDepth();
      backends.addAll(result.backends());
    }
    int dk = d * k;
    double[] gradient = new double[dk + k];
    double[] dw = g.dw();
    double squares = 0;
    for (int i = 0; i < dk; i++) {
      // ∇_W f = dW + reg·W
      gradient[i] = dw[i] + reg * theta[i];
      squares += theta[i] * theta[i];
    }
    System.arraycopy(g.db(), 0, gradient, dk, k);
    double value = g.loss() + 0.5 * reg * squares;
    double norm = Norms.norm(gradient);
    if (!Double.isFinite(value) || !Double.isFinite(norm)) {
      throw new TrainingDivergedException(iteration, String.format(Locale.ROOT,
          "Training diverged at iteration %d: the %s is not finite (loss = %s, ||grad|| = %s). "
              + "Lower the learning rate (learningRate), add regParam, or scale the "
              + "features.",
          iteration, Double.isFinite(value) ? "gradient" : "loss", value, norm));
    }
    return new Evaluation(value, g.loss(), gradient, norm);
  }

  public DenseBlock weights(double[] theta) {
    double[] w = new double[d * k];
    System.arraycopy(theta, 0, w, 0, d * k);
    return DenseBlock.ofDoubles(d, k, w);
  }

  public double[] bias(double[] theta) {
    double[] b = new double[k];
    System.arraycopy(theta, d * k, b, 0, k);
    return b;
  }

  public static double[] pack(DenseBlock w, double[] b) {
    double[] wv = w.toDType(DType.FLOAT64).doubles();
    int dk = w.numRows() * w.numCols();
    double[] theta = new double[dk + b.length];
    System.arraycopy(wv, 0, theta, 0, dk);
    System.arraycopy(b, 0, theta, dk, b.length);
    return theta;
  }

  public int passes() {
    return passes;
  }

  public double passSeconds() {
    return passSeconds;
  }

  public int treeDepth() {
    return treeDepth;
  }

  public List<String> backends() {
    return new ArrayList<>(backends);
  }
}
