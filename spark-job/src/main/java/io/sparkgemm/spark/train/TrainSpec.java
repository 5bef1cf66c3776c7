package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.pass.PassSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What to train: the network, the loss head, the L2 strength, the optimizer and when to stop.
 * Build one with {@link #builder(Loss)}, which starts from the defaults below (the CLI shows
 * the same constants); errors name the parameters as the builder does.
 *
 * <p>The objective over θ (every layer's W_l and b_l) is
 * {@code f = loss(net(X)) + (reg / 2)·Σ||W_l||²}, with the loss averaged over the rows (see
 * {@link io.sparkgemm.local.loss.LossHeads}); biases are not penalised. Without hidden layers
 * the network is the linear model Y = XW + b.
 *
 * <p>Its settings:
 *
 * <ul>
 * <li>{@code loss}: {@link Loss#MSE} or {@link Loss#SOFTMAX_CE}
 * <li>{@code optimizer}: gd (momentum / Nesterov) or lbfgs (Breeze's), full-batch; sgd (momentum /
 *     Nesterov) or adam, minibatch
 * <li>{@code learningRate}: the step size of gd, sgd and adam (the base of the schedule for sgd and
 *     adam)
 * <li>{@code momentum}: gd's and sgd's momentum μ in [0, 1)
 * <li>{@code nesterov}: gd and sgd: Nesterov's lookahead form
 * <li>{@code regParam}: L2 strength >= 0 (the reg of the objective)
 * <li>{@code maxIter}: the last iteration (iterations are numbered from 0, the starting point)
 * <li>{@code tol}: stop when ||∇f|| &lt;= tol or the relative change of f is &lt;= tol (gd);
 *     Breeze's
 *     convergence tolerance (lbfgs)
 * <li>{@code lbfgsMemory}: lbfgs: the number of correction pairs kept
 * <li>{@code treeDepth}: depth of the gradient reduction, 0 to choose
 * <li>{@code batchRows}: sgd and adam: rows per step ({@value #DEFAULT_BATCH_ROWS} when 0); 0 for
 *     gd and lbfgs
 * <li>{@code epochs}: sgd and adam: passes over the rows ({@value #DEFAULT_EPOCHS} when 0); 0 for
 *     gd
 *     and lbfgs (they stop at maxIter)
 * <li>{@code beta1}: adam: decay of the first moment, in [0, 1)
 * <li>{@code beta2}: adam: decay of the second moment, in [0, 1)
 * <li>{@code epsilon}: adam: added to √v̂, &gt; 0
 * <li>{@code weightDecay}: sgd: L2 through the gradient (g += λ·W); adam: decoupled (AdamW,
 *     θ −= lr·λ·W); biases are not decayed
 * <li>{@code lrSchedule}: sgd and adam: constant, step or cosine (see {@link LrSchedule})
 * <li>{@code warmupSteps}: sgd and adam: steps of linear warm-up before the schedule
 * <li>{@code lrStepEvery}: the step schedule: steps between decays (&gt;= 1)
 * <li>{@code lrGamma}: the step schedule: the factor per decay, in (0, 1]
 * <li>{@code lrMin}: the cosine schedule: the rate it ends at, in [0, learningRate]
 * <li>{@code seed}: the seed of the minibatch order (and of a network's initial θ)
 * <li>{@code hiddenSizes}: the hidden layers' widths (empty: the linear model)
 * <li>{@code activation}: the activation after every hidden layer
 * <li>{@code init}: how a network's initial θ is drawn: auto, he, xavier or zeros
 * </ul>
 */
public final class TrainSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The losses train supports. */
  public static final List<Loss> LOSSES = List.of(Loss.MSE, Loss.SOFTMAX_CE);

  // The defaults, each said once, as the CLI shows them (a picocli default must be a constant
  // String); the builder starts from them. learningRate: adam's is ADAM_LEARNING_RATE.
  public static final String OPTIMIZER = "lbfgs";
  public static final String LEARNING_RATE = "0.1";
  public static final String ADAM_LEARNING_RATE = "0.001";
  public static final String MOMENTUM = "0";
  public static final String REG_PARAM = "0";
  public static final String MAX_ITER = "100";
  public static final String TOL = "1e-6";
  public static final String LBFGS_MEMORY = "10";
  /** sgd's and adam's rows per step when none are given. */
  public static final int DEFAULT_BATCH_ROWS = 256;
  public static final String BATCH_ROWS = "" + DEFAULT_BATCH_ROWS;
  /** sgd's and adam's epochs when none are given. */
  public static final int DEFAULT_EPOCHS = 10;
  public static final String EPOCHS = "" + DEFAULT_EPOCHS;
  public static final String BETA1 = "0.9";
  public static final String BETA2 = "0.999";
  public static final String EPSILON = "1e-8";
  public static final String WEIGHT_DECAY = "0";
  public static final String LR_SCHEDULE = "constant";
  public static final String WARMUP_STEPS = "0";
  public static final String LR_GAMMA = "0.1";
  public static final String LR_MIN = "0";
  public static final String SEED = "0";
  public static final String ACTIVATION = "relu";
  public static final String INIT = "auto";

  private final Loss loss;
  private final Optimizer optimizer;
  private final double learningRate;
  private final double momentum;
  private final boolean nesterov;
  private final double regParam;
  private final int maxIter;
  private final double tol;
  private final int lbfgsMemory;
  private final DType dtype;
  private final BackendOptions backend;
  private final int treeDepth;
  private final int batchRows;
  private final int epochs;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private final LrSchedule lrSchedule;
  private final int warmupSteps;
  private final int lrStepEvery;
  private final double lrGamma;
  private final double lrMin;
  private final long seed;
  private final List<Integer> hiddenSizes;
  private final Activation activation;
  private final String init;

  private TrainSpec(Builder b) {
    TrainChecks.check(b);
    this.loss = b.loss;
    this.optimizer = b.optimizer;
    this.learningRate = learningRate(b);
    this.momentum = b.momentum;
    this.nesterov = b.nesterov;
    this.regParam = b.regParam;
    this.maxIter = b.maxIter;
    this.tol = b.tol;
    this.lbfgsMemory = b.lbfgsMemory;
    this.dtype = b.dtype;
    this.backend = b.backend;
    this.treeDepth = b.treeDepth;
    this.batchRows = batchRows(b);
    this.epochs = epochs(b);
    this.beta1 = b.beta1;
    this.beta2 = b.beta2;
    this.epsilon = b.epsilon;
    this.weightDecay = b.weightDecay;
    this.lrSchedule = b.lrSchedule;
    this.warmupSteps = b.warmupSteps;
    this.lrStepEvery = b.lrStepEvery;
    this.lrGamma = b.lrGamma;
    this.lrMin = b.lrMin;
    this.seed = b.seed;
    this.hiddenSizes = List.copyOf(b.hiddenSizes);
    this.activation = b.activation;
    this.init = b.init;
  }

  /** The learning rate {@code b} gives, else adam's or the others' default. */
  static double learningRate(Builder b) {
    return b.learningRate != null ? b.learningRate : Double.parseDouble(
        b.optimizer == Optimizer.ADAM ? ADAM_LEARNING_RATE : LEARNING_RATE);
  }

  /** sgd's and adam's rows per step: {@code b}'s, else {@link #DEFAULT_BATCH_ROWS}. */
  static int batchRows(Builder b) {
    return b.optimizer.minibatch() && b.batchRows == 0 ? DEFAULT_BATCH_ROWS : b.batchRows;
  }

  /** sgd's and adam's epochs: {@code b}'s, else {@link #DEFAULT_EPOCHS}. */
  static int epochs(Builder b) {
    return b.optimizer.minibatch() && b.epochs == 0 ? DEFAULT_EPOCHS : b.epochs;
  }

  public Loss loss() { return loss; }
  public Optimizer optimizer() { return optimizer; }
  public double learningRate() { return learningRate; }
  public double momentum() { return momentum; }
  public boolean nesterov() { return nesterov; }
  public double regParam() { return regParam; }
  public int maxIter() { return maxIter; }
  public double tol() { return tol; }
  public int lbfgsMemory() { return lbfgsMemory; }
  public DType dtype() { return dtype; }
  public BackendOptions backend() { return backend; }
  public int treeDepth() { return treeDepth; }
  public int batchRows() { return batchRows; }
  public int epochs() { return epochs; }
  public double beta1() { return beta1; }
  public double beta2() { return beta2; }
  public double epsilon() { return epsilon; }
  public double weightDecay() { return weightDecay; }
  public LrSchedule lrSchedule() { return lrSchedule; }
  public int warmupSteps() { return warmupSteps; }
  public int lrStepEvery() { return lrStepEvery; }
  public double lrGamma() { return lrGamma; }
  public double lrMin() { return lrMin; }
  public long seed() { return seed; }
  public List<Integer> hiddenSizes() { return hiddenSizes; }
  public Activation activation() { return activation; }
  public String init() { return init; }
  /** The network this spec trains from d inputs to k outputs. */
  public Network network(int inFeatures, int outFeatures) {
    if (hiddenSizes.isEmpty()) {
      return Network.linear(inFeatures, outFeatures);
    }
    int[] hidden = hiddenSizes.stream().mapToInt(Integer::intValue).toArray();
    return Network.of(inFeatures, hidden, activation, outFeatures);
  }

  /**
   * A spec for {@code loss} with the defaults of {@code spark-gemm train} (the constants
   * above): lbfgs, learningRate 0.1 (adam: 0.001), no momentum, regParam 0, maxIter 100,
   * tol 1e-6, lbfgsMemory 10, float64, the auto backend, treeDepth 0 (chosen); for sgd and adam
   * 256 rows per step, 10 epochs, β₁ 0.9, β₂ 0.999, ε 1e-8, no weight decay, a constant rate
   * without warm-up, seed 0; the linear model (no hidden layers; relu and auto init once there
   * are).
   */
  public static Builder builder(Loss loss) {
    return new Builder(loss);
  }

  /** Named settings for {@link TrainSpec}; {@link #build()} checks them. */
  public static final class Builder {
    final Loss loss;
    Optimizer optimizer = Optimizer.parse(OPTIMIZER);
    /** null: adam's or the others' default, by the optimizer. */
    Double learningRate;
    double momentum = Double.parseDouble(MOMENTUM);
    boolean nesterov;
    double regParam = Double.parseDouble(REG_PARAM);
    int maxIter = Integer.parseInt(MAX_ITER);
    double tol = Double.parseDouble(TOL);
    int lbfgsMemory = Integer.parseInt(LBFGS_MEMORY);
    DType dtype = DType.defaultType();
    BackendOptions backend = BackendOptions.defaults();
    int treeDepth = Integer.parseInt(PassSpec.TREE_DEPTH);
    /** 0: the default of sgd and adam (none for gd and lbfgs). */
    int batchRows;
    /** 0: the default of sgd and adam (none for gd and lbfgs). */
    int epochs;
    double beta1 = Double.parseDouble(BETA1);
    double beta2 = Double.parseDouble(BETA2);
    double epsilon = Double.parseDouble(EPSILON);
    double weightDecay = Double.parseDouble(WEIGHT_DECAY);
    LrSchedule lrSchedule = LrSchedule.parse(LR_SCHEDULE);
    int warmupSteps = Integer.parseInt(WARMUP_STEPS);
    int lrStepEvery;
    double lrGamma = Double.parseDouble(LR_GAMMA);
    double lrMin = Double.parseDouble(LR_MIN);
    long seed = Long.parseLong(SEED);
    List<Integer> hiddenSizes = List.of();
    Activation activation = Activation.parse(ACTIVATION);
    String init = INIT;

    private Builder(Loss loss) {
      this.loss = loss;
    }

    public Builder optimizer(Optimizer value) {
      optimizer = value;
      return this;
    }

    /**
     * The step size; without it {@link #ADAM_LEARNING_RATE} for adam, else
     * {@link #LEARNING_RATE}.
     */
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
      return new TrainSpec(this);
    }
  }
}
