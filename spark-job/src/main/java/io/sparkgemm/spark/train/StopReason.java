package io.sparkgemm.spark.train;

import breeze.optimize.FirstOrderMinimizer;

/**
 * Why training stopped. Its {@link #label()} is what the console and report.json say; L-BFGS's
 * reasons are Breeze's {@link FirstOrderMinimizer.ConvergenceReason}s, mapped by {@link #of}.
 */
public enum StopReason {
  /** The iteration budget is spent (Breeze's MaxIterations too). */
  MAX_ITER("max-iter"),
  /** sgd, adam: the epochs are done. */
  EPOCHS("epochs done"),
  /** gd: ||∇f|| &lt;= tol. */
  GRADIENT_NORM("converged: gradient norm <= tol"),
  /** gd: |f_prev − f| &lt;= tol·|f|. */
  OBJECTIVE_CHANGE("converged: relative change of the objective <= tol"),
  /** Breeze's SearchFailed. */
  LINE_SEARCH_FAILED("stopped: the line search failed (no further decrease found; usually at "
      + "the numerical optimum)"),
  /** Breeze's FunctionValuesConverged. */
  FUNCTION_VALUES_CONVERGED("converged: function values converged"),
  /** Breeze's GradientConverged. */
  GRADIENT_CONVERGED("converged: gradient converged"),
  /** Breeze's MonitorFunctionNotImproving. */
  MONITOR_NOT_IMPROVING("converged: monitor function is not improving"),
  /** Breeze's ProjectedStepConverged. */
  PROJECTED_STEP_CONVERGED("converged: projected step converged"),
  /** No iterations: the normal equations were solved (the regressor's optimizer normal). */
  CLOSED_FORM("closed form");

  private final String label;

  StopReason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Whether training stopped because a tolerance was met. */
  public boolean converged() {
    return label.startsWith("converged");
  }

  /** Breeze's reason for stopping; null (none given) counts as the iteration budget. */
  static StopReason of(FirstOrderMinimizer.ConvergenceReason reason) {
    if (reason == null || reason instanceof FirstOrderMinimizer.MaxIterations$) {
      return MAX_ITER;
    }
    if (reason instanceof FirstOrderMinimizer.SearchFailed$) {
      return LINE_SEARCH_FAILED;
    }
    if (reason instanceof FirstOrderMinimizer.FunctionValuesConverged$) {
      return FUNCTION_VALUES_CONVERGED;
    }
    if (reason instanceof FirstOrderMinimizer.GradientConverged$) {
      return GRADIENT_CONVERGED;
    }
    if (reason instanceof FirstOrderMinimizer.MonitorFunctionNotImproving$) {
      return MONITOR_NOT_IMPROVING;
    }
    if (reason instanceof FirstOrderMinimizer.ProjectedStepConverged$) {
      return PROJECTED_STEP_CONVERGED;
    }
    throw new IllegalStateException("Unknown Breeze convergence reason: " + reason.reason());
  }
}
