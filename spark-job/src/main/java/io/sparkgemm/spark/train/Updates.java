package io.sparkgemm.spark.train;

/**
 * The minibatch optimizers' update of θ on the driver, element by element, for a gradient g of
 * the step's minibatch and the step's rate lr; W_l's entries (mask true) are decayed by λ,
 * biases are not.
 *
 * <pre>
 *   sgd:   g' = g + λ·W                          (L2 through the gradient)
 *          v ← μ·v + g'    θ ← θ − lr·(nesterov ? g' + μ·v : v)      (μ = 0: θ ← θ − lr·g')
 *   adam:  t ← t + 1    m ← β₁·m + (1 − β₁)·g    v ← β₂·v + (1 − β₂)·g²
 *          m̂ = m / (1 − β₁ᵗ)    v̂ = v / (1 − β₂ᵗ)
 *          θ ← θ − lr·(m̂ / (√v̂ + ε) + λ·W)     (decoupled weight decay, AdamW)
 * </pre>
 */
final class Updates {
  private Updates() {
  }

  /**
   * One step; changes {@code theta} and the state's buffers; t is {@code state.step + 1} and
   * the caller counts the step.
   *
   * @return ||Δθ||
   */
  static double apply(TrainSpec spec, double[] theta, double[] g, double lr, boolean[] mask,
      MinibatchState state) {
    return spec.optimizer() == Optimizer.ADAM
        ? adam(spec, theta, g, lr, mask, state.m, state.v, state.step + 1)
        : sgd(spec, theta, g, lr, mask, state.velocity);
  }

  static double sgd(TrainSpec spec, double[] theta, double[] g, double lr, boolean[] mask,
      double[] velocity) {
    double mu = spec.momentum();
    double decay = spec.weightDecay();
    boolean nesterov = spec.nesterov();
    double squares = 0;
    for (int i = 0; i < theta.length; i++) {
      double gi = mask[i] ? g[i] + decay * theta[i] : g[i];
      double direction = gi;
      if (velocity != null) {
        velocity[i] = mu * velocity[i] + gi;
        direction = nesterov ? gi + mu * velocity[i] : velocity[i];
      }
      double delta = lr * direction;
      theta[i] -= delta;
      squares += delta * delta;
    }
    return Math.sqrt(squares);
  }

  static double adam(TrainSpec spec, double[] theta, double[] g, double lr, boolean[] mask,
      double[] m, double[] v, long t) {
    double beta1 = spec.beta1();
    double beta2 = spec.beta2();
    double eps = spec.epsilon();
    double decay = spec.weightDecay();
    double correction1 = 1 - Math.pow(beta1, t);
    double correction2 = 1 - Math.pow(beta2, t);
    double squares = 0;
    for (int i = 0; i < theta.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      double mHat = m[i] / correction1;
      double vHat = v[i] / correction2;
      double direction = mHat / (Math.sqrt(vHat) + eps);
      if (mask[i]) {
        direction += decay * theta[i];
      }
      double delta = lr * direction;
      theta[i] -= delta;
      squares += delta * delta;
    }
    return Math.sqrt(squares);
  }
}
