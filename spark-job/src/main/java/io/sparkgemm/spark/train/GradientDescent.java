package io.sparkgemm.spark.train;

import io.sparkgemm.local.ParamText;
import java.util.Locale;

/**
 * Gradient descent with heavy-ball momentum, or Nesterov's lookahead in the form deep-learning
 * frameworks use (the velocity v accumulates gradients; Nesterov steps along g + μ·v):
 *
 * <pre>
 *   v ← μ·v + g          θ ← θ − lr·(nesterov ? g + μ·v : v)
 * </pre>
 *
 * Stops at {@code maxIter}, or when ||∇f|| &lt;= tol, or when the objective changed by at most
 * tol relative to its size. Stops as diverged when the objective exceeds
 * {@link TrainingDivergedException#GROWTH} times the first one (or 1).
 */
final class GradientDescent {
  private GradientDescent() {
  }

  static Trainer.Outcome run(Objective objective, TrainSpec spec, Trainer.Start start,
      Trainer.Listener listener) {
    double[] theta = start.theta().clone();
    int n = theta.length;
    double[] velocity = start.velocity() != null ? start.velocity().clone() : new double[n];
    double mu = spec.momentum();
    double lr = spec.learningRate();
    int iteration = start.iteration();
    long t0 = System.nanoTime();
    int passes0 = objective.passes();
    Objective.Evaluation e = objective.evaluate(theta, iteration);
    double first = e.value(); // the scale of the growth rule (TrainingDivergedException)
    if (start.history().isEmpty()) {
      listener.onIteration(record(iteration, e, 0.0, t0, objective.passes() - passes0), theta,
          mu > 0 ? velocity : null);
    }
    if (e.gradientNorm() <= spec.tol()) {
      return new Trainer.Outcome(theta, StopReason.GRADIENT_NORM);
    }
    double[] direction = new double[n];
    while (iteration < spec.maxIter()) {
      iteration++;
      t0 = System.nanoTime();
      passes0 = objective.passes();
      double[] g = e.gradient();
      double squares = 0;
      for (int i = 0; i < n; i++) {
        velocity[i] = mu * velocity[i] + g[i];
        direction[i] = spec.nesterov() ? g[i] + mu * velocity[i] : velocity[i];
        double delta = lr * direction[i];
        theta[i] -= delta;
        squares += delta * delta;
      }
      double previous = e.value();
      e = objective.evaluate(theta, iteration);
      if (TrainingDivergedException.grew(e.value(), first)) {
        throw new TrainingDivergedException(iteration, ParamText.of(String.format(Locale.ROOT,
            "Training diverged at iteration %d: the loss %.4g exceeds 1e6 × max(1, the "
                + "first iteration's %.4g). ", iteration, e.value(), first),
            TrainingDivergedException.ADVICE, "."));
      }
      listener.onIteration(record(iteration, e, Math.sqrt(squares), t0,
          objective.passes() - passes0), theta, mu > 0 ? velocity : null);
      if (e.gradientNorm() <= spec.tol()) {
        return new Trainer.Outcome(theta, StopReason.GRADIENT_NORM);
      }
      if (Math.abs(previous - e.value()) <= spec.tol() * Math.abs(e.value())) {
        return new Trainer.Outcome(theta, StopReason.OBJECTIVE_CHANGE);
      }
    }
    return new Trainer.Outcome(theta, StopReason.MAX_ITER);
  }

  private static IterationRecord record(int iteration, Objective.Evaluation e, double step,
      long t0, int passes) {
    return new IterationRecord(iteration, e.value(), e.loss(), e.gradientNorm(), step,
        (System.nanoTime() - t0) / 1e9, passes);
  }
}
