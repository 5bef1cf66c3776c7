package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkInit;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What to train: the network, the loss head, the L2 strength, the optimizer and when to stop.
 * Build one with {@link #builder(Loss)}; errors name the parameters as the builder does.
 *
 * <p>The objective over θ (every layer's W_l and b_l) is
 * {@code f = loss(net(X)) + (reg / 2)·Σ||W_l||²}, with the loss averaged over the rows (see
 * {@link io.sparkgemm.local.loss.LossHeads}); biases are not penalised. Without hidden layers
 * the network is the linear model Y = XW + b.
 *
 * @param loss {@link Loss#MSE} or {@link Loss#SOFTMAX_CE}
 * @param optimizer gd (momentum / Nesterov) or lbfgs (Breeze's), full-batch; sgd (momentum /
 *     Nesterov) or adam, minibatch
 * @param learningRate the step size of gd, sgd and adam (the base of the schedule for sgd and
 *     adam)
 * @param momentum gd's and sgd's momentum μ in [0, 1)
 * @param nesterov gd and sgd: Nesterov's lookahead form
 * @param regParam L2 strength >= 0 (the reg of the objective)
 * @param maxIter the last iteration (iterations are numbered from 0, the starting point)
 * @param tol stop when ||∇f|| &lt;= tol or the relative change of f is &lt;= tol (gd); Breeze's
 *     convergence tolerance (lbfgs)
 * @param lbfgsMemory lbfgs: the number of correction pairs kept
 * @param treeDepth depth of the gradient reduction, 0 to choose
 * @param batchRows sgd and adam: rows per step ({@value #DEFAULT_BATCH_ROWS} when 0); 0 for
 *     gd and lbfgs
 * @param epochs sgd and adam: passes over the rows ({@value #DEFAULT_EPOCHS} when 0); 0 for gd
 *     and lbfgs (they stop at maxIter)
 * @param beta1 adam: decay of the first moment, in [0, 1)
 * @param beta2 adam: decay of the second moment, in [0, 1)
 * @param epsilon adam: added to √v̂, &gt; 0
 * @param weightDecay sgd: L2 through the gradient (g += λ·W); adam: decoupled (AdamW,
 *     θ −= lr·λ·W); biases are not decayed
 * @param lrSchedule sgd and adam: constant, step or cosine (see {@link LrSchedule})
 * @param warmupSteps sgd and adam: steps of linear warm-up before the schedule
 * @param lrStepEvery the step schedule: steps between decays (&gt;= 1)
 * @param lrGamma the step schedule: the factor per decay, in (0, 1]
 * @param lrMin the cosine schedule: the rate it ends at, in [0, learningRate]
 * @param seed the seed of the minibatch order (and of a network's initial θ)
 * @param hiddenSizes the hidden layers' widths (empty: the linear model)
 * @param activation the activation after every hidden layer
 * @param init how a network's initial θ is drawn: auto, he, xavier or zeros
 */
public record TrainSpec(Loss loss, Optimizer optimizer, double learningRate, double momentum,
    boolean nesterov, double regParam, int maxIter, double tol, int lbfgsMemory, DType dtype,
    BackendOptions backend, int treeDepth, int batchRows, int epochs, double beta1,
    double beta2, double epsilon, double weightDecay, LrSchedule lrSchedule, int warmupSteps,
    int lrStepEvery, double lrGamma, double lrMin, long seed, List<Integer> hiddenSizes,
    Activation activation, String init) implements Serializable {
  /** The losses train supports. */
  public static final List<Loss> LOSSES = List.of(Loss.MSE, Loss.SOFTMAX_CE);
  /** sgd's and adam's rows per step when none are given. */
  public static final int DEFAULT_BATCH_ROWS = 256;
  /** sgd's and adam's epochs when none are given. */
  public static final int DEFAULT_EPOCHS = 10;

  /** The full-batch spec of the linear model (every minibatch and network setting default). */
  public TrainSpec(Loss loss, Optimizer optimizer, double learningRate, double momentum,
      boolean nesterov, double regParam, int maxIter, double tol, int lbfgsMemory, DType dtype,
      BackendOptions backend, int treeDepth) {
    this(loss, optimizer, learningRate, momentum, nesterov, regParam, maxIter, tol,
        lbfgsMemory, dtype, backend, treeDepth, 0, 0, 0.9, 0.999, 1e-8, 0, LrSchedule.CONSTANT,
        0, 0, 0.1, 0, 0, List.of(), Activation.RELU, "auto");
  }

  public TrainSpec {
    if (!LOSSES.contains(loss)) {
      throw new IllegalArgumentException("Unknown loss '" + (loss == null ? null : loss.label())
          + "': train supports " + String.join(" or ", Loss.labels(LOSSES)));
    }
    if (optimizer == null) {
      throw new IllegalArgumentException("No optimizer: expected "
          + String.join(" or ", Optimizer.LABELS));
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new BadParameterException(param("learningRate"), " must be > 0, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new BadParameterException(param("momentum"), " must be in [0, 1), got " + momentum);
    }
    if (nesterov && momentum == 0) {
      throw new BadParameterException(param("nesterov"), " needs ", param("momentum"), " > 0");
    }
    if (!(regParam >= 0) || Double.isInfinite(regParam)) {
      throw new BadParameterException(param("regParam"), " must be >= 0, got " + regParam);
    }
    if (maxIter < 0) {
      throw new BadParameterException(param("maxIter"), " must be >= 0, got " + maxIter);
    }
    if (!(tol >= 0)) {
      throw new BadParameterException(param("tol"), " must be >= 0, got " + tol);
    }
    if (lbfgsMemory < 1) {
      throw new BadParameterException(param("lbfgsMemory"), " must be >= 1, got " + lbfgsMemory);
    }
    if (optimizer.minibatch()) {
      batchRows = batchRows == 0 ? DEFAULT_BATCH_ROWS : batchRows;
      epochs = epochs == 0 ? DEFAULT_EPOCHS : epochs;
      checkMinibatch(optimizer, momentum, batchRows, epochs, beta1, beta2, epsilon, weightDecay);
      checkSchedule(learningRate, lrSchedule, warmupSteps, lrStepEvery, lrGamma, lrMin);
    } else {
      String full = optimizer.label() + " trains full-batch (all rows every iteration)";
      if (batchRows != 0) {
        throw new BadParameterException(param("batchRows"), " is for the minibatch optimizers "
            + "sgd and adam; " + full);
      }
      if (epochs != 0) {
        throw new BadParameterException(param("epochs"), " is for the minibatch optimizers sgd "
            + "and adam; " + full + " and stops at ", param("maxIter"));
      }
      if (weightDecay != 0) {
        throw new BadParameterException(param("weightDecay"), " is for sgd and adam; " + full
            + ": use ", param("regParam"));
      }
    }
    hiddenSizes = List.copyOf(hiddenSizes == null ? List.of() : hiddenSizes);
    for (Integer h : hiddenSizes) {
      if (h == null || h < 1) {
        throw new BadParameterException(param("hiddenSizes"), " must all be >= 1, got "
            + hiddenSizes);
      }
    }
    if (activation == null) {
      throw new IllegalArgumentException("No activation: expected one of "
          + String.join(", ", Activation.LABELS));
    }
    if (!NetworkInit.SCHEMES.contains(init)) {
      throw new IllegalArgumentException("Unknown init '" + init + "': expected one of "
          + String.join(", ", NetworkInit.SCHEMES));
    }
  }

  private static void checkMinibatch(Optimizer optimizer, double momentum, int batchRows,
      int epochs, double beta1, double beta2, double epsilon, double weightDecay) {
    if (batchRows < 1) {
      throw new BadParameterException(param("batchRows"), " must be >= 1, got " + batchRows);
    }
    if (epochs < 1) {
      throw new BadParameterException(param("epochs"), " must be >= 1, got " + epochs);
    }
    if (optimizer == Optimizer.ADAM && momentum != 0) {
      throw new BadParameterException(param("momentum"), " is for gd and sgd; adam's is ",
          param("beta1"));
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new BadParameterException(param("beta1"), " must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new BadParameterException(param("beta2"), " must be in [0, 1), got " + beta2);
    }
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new BadParameterException(param("epsilon"), " must be > 0, got " + epsilon);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new BadParameterException(param("weightDecay"), " must be >= 0, got " + weightDecay);
    }
  }

  private static void checkSchedule(double learningRate, LrSchedule schedule, int warmupSteps,
      int lrStepEvery, double lrGamma, double lrMin) {
    if (schedule == null) {
      throw new BadParameterException("No ", param("lrSchedule"), ": expected constant, step or "
          + "cosine");
    }
    if (warmupSteps < 0) {
      throw new BadParameterException(param("warmupSteps"), " must be >= 0, got " + warmupSteps);
    }
    if (schedule == LrSchedule.STEP && lrStepEvery < 1) {
      throw new BadParameterException(param("lrStepEvery"), " must be >= 1 for the step "
          + "schedule, got " + lrStepEvery);
    }
    if (!(lrGamma > 0 && lrGamma <= 1)) {
      throw new BadParameterException(param("lrGamma"), " must be in (0, 1], got " + lrGamma);
    }
    if (!(lrMin >= 0 && lrMin <= learningRate)) {
      throw new BadParameterException(param("lrMin"), " must be in [0, ", param("learningRate"),
          " = " + learningRate + "], got " + lrMin);
    }
  }

  /** The network this spec trains from d inputs to k outputs. */
  public Network network(int inFeatures, int outFeatures) {
    if (hiddenSizes.isEmpty()) {
      return Network.linear(inFeatures, outFeatures);
    }
    int[] hidden = hiddenSizes.stream().mapToInt(Integer::intValue).toArray();
    return Network.of(inFeatures, hidden, activation, outFeatures);
  }

  /**
   * A spec for {@code loss} with the defaults of {@code spark-gemm train}: lbfgs, learningRate
   * 0.1, no momentum, regParam 0, maxIter 100, tol 1e-6, lbfgsMemory 10, float64, the auto
   * backend, treeDepth 0 (chosen); for sgd and adam 256 rows per step, 10 epochs, β₁ 0.9,
   * β₂ 0.999, ε 1e-8, no weight decay, a constant rate without warm-up, seed 0; the linear
   * model (no hidden layers; relu and auto init once there are).
   */
  public static Builder builder(Loss loss) {
    return new Builder(loss);
  }

  /** Named settings for {@link TrainSpec}; {@link #build()} checks them. */
  public static final class Builder {
    private final Loss loss;
    private Optimizer optimizer = Optimizer.LBFGS;
    private double learningRate = 0.1;
    private double momentum;
    private boolean nesterov;
    private double regParam;
    private int maxIter = 100;
    private double tol = 1e-6;
    private int lbfgsMemory = 10;
    private DType dtype = DType.FLOAT64;
    private BackendOptions backend = BackendOptions.defaults();
    private int treeDepth;
    private int batchRows;
    private int epochs;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon = 1e-8;
    private double weightDecay;
    private LrSchedule lrSchedule = LrSchedule.CONSTANT;
    private int warmupSteps;
    private int lrStepEvery;
    private double lrGamma = 0.1;
    private double lrMin;
    private long seed;
    private List<Integer> hiddenSizes = List.of();
    private Activation activation = Activation.RELU;
    private String init = "auto";

    private Builder(Loss loss) {
      this.loss = loss;
    }

    public Builder optimizer(Optimizer value) {
      optimizer = value;
      return this;
    }

    public Builder learningRate(double value) {
      learningRate = value;
      return this;
    }

    public Builder momentum(double value) {
      momentum = value;
      return this;
    }

    public Builder nesterov(boolean value) {
      nesterov = value;
      return this;
    }

    public Builder regParam(double value) {
      regParam = value;
      return this;
    }

    public Builder maxIter(int value) {
      maxIter = value;
      return this;
    }

    public Builder tol(double value) {
      tol = value;
      return this;
    }

    public Builder lbfgsMemory(int value) {
      lbfgsMemory = value;
      return this;
    }

    public Builder dtype(DType value) {
      dtype = value;
      return this;
    }

    public Builder backend(BackendOptions value) {
      backend = value;
      return this;
    }

    public Builder treeDepth(int value) {
      treeDepth = value;
      return this;
    }

    public Builder batchRows(int value) {
      batchRows = value;
      return this;
    }

    public Builder epochs(int value) {
      epochs = value;
      return this;
    }

    public Builder beta1(double value) {
      beta1 = value;
      return this;
    }

    public Builder beta2(double value) {
      beta2 = value;
      return this;
    }

    public Builder epsilon(double value) {
      epsilon = value;
      return this;
    }

    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    public Builder lrSchedule(LrSchedule value) {
      lrSchedule = value;
      return this;
    }

    public Builder warmupSteps(int value) {
      warmupSteps = value;
      return this;
    }

    public Builder lrStepEvery(int value) {
      lrStepEvery = value;
      return this;
    }

    public Builder lrGamma(double value) {
      lrGamma = value;
      return this;
    }

    public Builder lrMin(double value) {
      lrMin = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** The hidden layers' widths, input side first (none: the linear model). */
    public Builder hiddenSizes(int... value) {
      List<Integer> sizes = new ArrayList<>();
      for (int v : value) {
        sizes.add(v);
      }
      hiddenSizes = sizes;
      return this;
    }

    public Builder activation(Activation value) {
      activation = value;
      return this;
    }

    public Builder init(String value) {
      init = value;
      return this;
    }

    public TrainSpec build() {
      return new TrainSpec(loss, optimizer, learningRate, momentum, nesterov, regParam, maxIter,
          tol, lbfgsMemory, dtype, backend, treeDepth, batchRows, epochs, beta1, beta2, epsilon,
          weightDecay, lrSchedule, warmupSteps, lrStepEvery, lrGamma, lrMin, seed, hiddenSizes,
          activation, init);
    }
  }
}
