package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import java.io.Serializable;
import java.util.List;

/**
 * What to train: the loss head, the L2 strength, the optimizer and when to stop.
 *
 * <p>The objective, over W (d x k) and b (k), is {@code f = loss(XW + b) + (reg / 2)·||W||²},
 * with the loss averaged over the n rows (see {@link io.sparkgemm.local.loss.LossHeads}); b is
 * not penalised.
 *
 * @param loss {@code mse} or {@code softmax-ce}
 * @param optimizer {@code gd} (with momentum / Nesterov) or {@code lbfgs} (Breeze's)
 * @param learningRate gd's step size
 * @param momentum gd's momentum μ in [0, 1)
 * @param nesterov gd: Nesterov's lookahead form
 * @param reg L2 strength >= 0
 * @param maxIter the last iteration (iterations are numbered from 0, the starting point)
 * @param tol stop when ||∇f|| &lt;= tol or the relative change of f is &lt;= tol (gd); Breeze's
 *     convergence tolerance (lbfgs)
 * @param memory lbfgs: the number of correction pairs kept
 * @param treeDepth depth of the gradient reduction, 0 to choose
 */
public record TrainSpec(String loss, String optimizer, double learningRate, double momentum,
    boolean nesterov, double reg, int maxIter, double tol, int memory, DType dtype,
    BackendOptions backend, int treeDepth) implements Serializable {
  public static final List<String> LOSSES = List.of("mse", "softmax-ce");
  public static final List<String> OPTIMIZERS = List.of("gd", "lbfgs");

  public TrainSpec {
    if (!LOSSES.contains(loss)) {
      throw new IllegalArgumentException("Unknown --loss '" + loss + "': train supports "
          + String.join(" or ", LOSSES));
    }
    if (!OPTIMIZERS.contains(optimizer)) {
      throw new IllegalArgumentException("Unknown --optimizer '" + optimizer + "': expected "
          + String.join(" or ", OPTIMIZERS));
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("--lr must be > 0, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("--nesterov needs --momentum > 0");
    }
    if (!(reg >= 0) || Double.isInfinite(reg)) {
      throw new IllegalArgumentException("--reg must be >= 0, got " + reg);
    }
    if (maxIter < 0) {
      throw new IllegalArgumentException("--max-iter must be >= 0, got " + maxIter);
    }
    if (!(tol >= 0)) {
      throw new IllegalArgumentException("--tol must be >= 0, got " + tol);
    }
    if (memory < 1) {
      throw new IllegalArgumentException("--lbfgs-memory must be >= 1, got " + memory);
    }
  }
}
