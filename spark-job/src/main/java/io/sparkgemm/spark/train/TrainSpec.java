package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import java.io.Serializable;
import java.util.List;

/**
 * What to train: the loss head, the L2 strength, the optimizer and when to stop. Build one
 * with {@link #builder(Loss)}; errors name the parameters as the builder does.
 *
 * <p>The objective, over W (d x k) and b (k), is {@code f = loss(XW + b) + (reg / 2)·||W||²},
 * with the loss averaged over the n rows (see {@link io.sparkgemm.local.loss.LossHeads}); b is
 * not penalised.
 *
 * @param loss {@link Loss#MSE} or {@link Loss#SOFTMAX_CE}
 * @param optimizer gd (with momentum / Nesterov) or lbfgs (Breeze's)
 * @param learningRate gd's step size
 * @param momentum gd's momentum μ in [0, 1)
 * @param nesterov gd: Nesterov's lookahead form
 * @param regParam L2 strength >= 0 (the reg of the objective)
 * @param maxIter the last iteration (iterations are numbered from 0, the starting point)
 * @param tol stop when ||∇f|| &lt;= tol or the relative change of f is &lt;= tol (gd); Breeze's
 *     convergence tolerance (lbfgs)
 * @param lbfgsMemory lbfgs: the number of correction pairs kept
 * @param treeDepth depth of the gradient reduction, 0 to choose
 */
public record TrainSpec(Loss loss, Optimizer optimizer, double learningRate, double momentum,
    boolean nesterov, double regParam, int maxIter, double tol, int lbfgsMemory, DType dtype,
    BackendOptions backend, int treeDepth) implements Serializable {
  /** The losses train supports. */
  public static final List<Loss> LOSSES = List.of(Loss.MSE, Loss.SOFTMAX_CE);

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
      throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("nesterov needs momentum > 0");
    }
    if (!(regParam >= 0) || Double.isInfinite(regParam)) {
      throw new IllegalArgumentException("regParam must be >= 0, got " + regParam);
    }
    if (maxIter < 0) {
      throw new IllegalArgumentException("maxIter must be >= 0, got " + maxIter);
    }
    if (!(tol >= 0)) {
      throw new IllegalArgumentException("tol must be >= 0, got " + tol);
    }
    if (lbfgsMemory < 1) {
      throw new IllegalArgumentException("lbfgsMemory must be >= 1, got " + lbfgsMemory);
    }
  }

  /**
   * A spec for {@code loss} with the defaults of {@code spark-gemm train}: lbfgs, learningRate
   * 0.1, no momentum, regParam 0, maxIter 100, tol 1e-6, lbfgsMemory 10, float64, the auto
   * backend, treeDepth 0 (chosen).
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

    public TrainSpec build() {
      return new TrainSpec(loss, optimizer, learningRate, momentum, nesterov, regParam, maxIter,
          tol, lbfgsMemory, dtype, backend, treeDepth);
    }
  }
}
