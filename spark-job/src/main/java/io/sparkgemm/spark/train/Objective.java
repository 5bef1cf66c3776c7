package io.sparkgemm.spark.train;

import io.sparkgemm.local.Norms;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.pass.RowSlice;
import io.sparkgemm.spark.pass.RowSlices;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;

/**
 * f(θ) = loss(network(X; θ)) + (reg/2)·Σ_l ||W_l||² and its gradient, one fused distributed pass
 * per evaluation, over every row ({@link #evaluate}) or over one minibatch step's rows
 * ({@link #evaluateBatch}; the loss is then the mean over the step's rows). θ is laid out as
 * {@link Theta} says; the linear model is the one-layer network. Biases are not penalised.
 * Every evaluation sends the new θ with its pass (inside the tasks, or as a broadcast that the
 * pass destroys when it is done, {@link PassResult#close()}); the cached blocks of X are
 * reused. An evaluation whose loss or gradient is not finite stops training with a
 * {@link TrainingDivergedException} that names the iteration.
 */
public final class Objective {
  private final SparkSession spark;
  private final BlockedInput input;
  private final Network network;
  private final PassSpec pass;
  private final double reg;
  private final TreeSet<String> backends = new TreeSet<>();
  private RowSlices slices;
  /** With --standardize: θ is in standardised coordinates (see {@link InputScaling}). */
  private InputScaling scaling;
  private int passes;
  private double passSeconds;
  private long bytesToDriver;
  private int treeDepth;

  /**
   * The gradient has one entry per parameter; {@code gradientNorm} is its Euclidean norm;
   * {@code rows} the rows the loss averaged over (n, or the step's).
   */
  public record Evaluation(double value, double loss, double[] gradient, double gradientNorm,
      long rows) {
    /** Without the row count (0). */
    public Evaluation(double value, double loss, double[] gradient, double gradientNorm) {
      this(value, loss, gradient, gradientNorm, 0);
    }
  }

  /** f for {@code network} (the linear model is {@code Network.linear(d, k)}) over the input. */
  public Objective(SparkSession spark, BlockedInput input, Network network, TrainSpec spec) {
    if (network.inFeatures() != input.numFeatures()) {
      throw new IllegalArgumentException("The " + network.describe() + " network takes "
          + network.inFeatures() + " features but X has " + input.numFeatures());
    }
    this.spark = spark;
    this.input = input;
    this.network = network;
    this.reg = spec.regParam();
    this.pass = PassSpec.backward(spec.loss()).dtype(spec.dtype()).backend(spec.backend())
        .treeDepth(spec.treeDepth()).build();
  }

  public Network network() {
    return network;
  }

  public int numParameters() {
    return network.numParameters();
  }

  public int inFeatures() {
    return network.inFeatures();
  }

  public int outFeatures() {
    return network.outFeatures();
  }

  /** n, the rows of the input. */
  public long numRows() {
    return input.numRows();
  }

  /**
   * Full batch: the loss averaged over all n rows.
   *
   * @param theta θ (not modified)
   * @param iteration the iteration this evaluation belongs to, for the error message
   */
  public Evaluation evaluate(double[] theta, int iteration) {
    return evaluate(theta, null, iteration);
  }

  /** ⌈n / batchRows⌉, the steps of one epoch of minibatches of about batchRows rows. */
  public int stepsPerEpoch(int batchRows) {
    return slices().stepsPerEpoch(batchRows);
  }

  /**
   * One minibatch step: the loss averaged over the step's rows (+ reg as in {@link #evaluate})
   * and its gradient, one pass over a slice of every partition's cached blocks.
   *
   * @param theta θ (not modified)
   * @param batch the step; {@code batch.step()} must be below {@link #stepsPerEpoch}
   * @param iteration the iteration (step count) this evaluation belongs to, for the error message
   */
  public Evaluation evaluateBatch(double[] theta, MinibatchStep batch, int iteration) {
    int steps = stepsPerEpoch(batch.batchRows());
    if (batch.step() >= steps) {
      throw new IllegalArgumentException("Step " + batch.step() + " is past the epoch: "
          + input.numRows() + " rows in batches of " + batch.batchRows() + " make " + steps
          + " steps (0.." + (steps - 1) + ")");
    }
    return evaluate(theta, slices().slice(batch.seed(), batch.epoch(), batch.step(), steps),
        iteration);
  }

  private RowSlices slices() {
    if (slices == null) {
      slices = RowSlices.count(input);
    }
    return slices;
  }

  /**
   * Trains in standardised coordinates from now on: θ given to {@link #evaluate} is θ' of
   * {@link InputScaling}, the passes run {@link #modelTheta}(θ'), the gradient is ∂f/∂θ' and
   * reg penalises the standardised weights.
   */
  public void standardize(InputScaling value) {
    scaling = value;
  }

  /** The θ that runs on raw rows: θ itself, or with {@link #standardize} its raw form. */
  public double[] modelTheta(double[] theta) {
    return scaling == null ? theta : scaling.toRaw(network, theta);
  }

  private Evaluation evaluate(double[] theta, RowSlice slice, int iteration) {
    NetworkGradient g;
    try (PassResult result = LinearPass.run(spark, input,
        Theta.of(network, modelTheta(theta)), pass, slice)) {
      g = result.gradient();
      passes++;
      passSeconds += result.seconds();
      bytesToDriver += result.bytesToDriver();
      treeDepth = result.treeDepth();
      backends.addAll(result.backends());
    }
    double[] gradient = scaling == null ? g.flat() : scaling.toScaled(network, g.flat());
    // ∇_W f = dW + reg·W; b is not penalised
    Theta at = Theta.of(network, theta);
    at.addScaledWeights(reg, gradient);
    double value = g.loss() + 0.5 * reg * at.weightSquares();
    double norm = Norms.norm(gradient);
    if (!Double.isFinite(value) || !Double.isFinite(norm)) {
      throw new TrainingDivergedException(iteration, ParamText.of(String.format(Locale.ROOT,
          "Training diverged at iteration %d: the %s is not finite (loss = %s, ||grad|| = %s). ",
          iteration, Double.isFinite(value) ? "gradient" : "loss", value, norm),
          TrainingDivergedException.ADVICE, "."));
    }
    return new Evaluation(value, g.loss(), gradient, norm, g.numRows());
  }

  public int passes() {
    return passes;
  }

  public double passSeconds() {
    return passSeconds;
  }

  /** Gradient bytes the driver received over all passes so far. */
  public long bytesToDriver() {
    return bytesToDriver;
  }

  public int treeDepth() {
    return treeDepth;
  }

  public List<String> backends() {
    return new ArrayList<>(backends);
  }
}
