package io.sparkgemm.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import breeze.optimize.FirstOrderMinimizer;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import org.junit.jupiter.api.Test;

class TrainSpecTest {
  @Test
  void theBuilderStartsFromTrainsDefaults() {
    TrainSpec spec = TrainSpec.builder(Loss.MSE).build();
    assertThat(spec).isEqualTo(new TrainSpec(Loss.MSE, Optimizer.LBFGS, 0.1, 0, false, 0, 100,
        1e-6, 10, DType.FLOAT64, BackendOptions.defaults(), 0));
    TrainSpec gd = TrainSpec.builder(Loss.SOFTMAX_CE).optimizer(Optimizer.GD).learningRate(0.5)
        .momentum(0.9).nesterov(true).regParam(0.25).maxIter(7).tol(0).lbfgsMemory(3)
        .dtype(DType.FLOAT32).treeDepth(2).build();
    assertThat(gd).isEqualTo(new TrainSpec(Loss.SOFTMAX_CE, Optimizer.GD, 0.5, 0.9, true, 0.25,
        7, 0, 3, DType.FLOAT32, BackendOptions.defaults(), 2));
  }

  /** A library caller never typed a flag: errors name the builder's parameters. */
  @Test
  void errorsNameTheParametersNotFlags() {
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).learningRate(-1).build())
        .hasMessage("learningRate must be > 0, got -1.0");
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).nesterov(true).build())
        .hasMessage("nesterov needs momentum > 0");
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).regParam(Double.NaN).build())
        .hasMessage("regParam must be >= 0, got NaN");
    assertThatThrownBy(() -> TrainSpec.builder(Loss.SUM).build())
        .hasMessage("Unknown loss 'sum': train supports mse or softmax-ce");
  }

  /** Breeze's reasons keep the words train printed before they were typed. */
  @Test
  void breezeReasonsMapToStopReasons() {
    assertThat(StopReason.of(null)).isEqualTo(StopReason.MAX_ITER);
    assertThat(StopReason.of(FirstOrderMinimizer.MaxIterations$.MODULE$).label())
        .isEqualTo("max-iter");
    assertThat(StopReason.of(FirstOrderMinimizer.GradientConverged$.MODULE$).label())
        .isEqualTo("converged: gradient converged");
    assertThat(StopReason.of(FirstOrderMinimizer.FunctionValuesConverged$.MODULE$).label())
        .isEqualTo("converged: function values converged");
    assertThat(StopReason.of(FirstOrderMinimizer.ProjectedStepConverged$.MODULE$).label())
        .isEqualTo("converged: projected step converged");
    assertThat(StopReason.of(FirstOrderMinimizer.MonitorFunctionNotImproving$.MODULE$).label())
        .isEqualTo("converged: monitor function is not improving");
    assertThat(StopReason.of(FirstOrderMinimizer.SearchFailed$.MODULE$))
        .isEqualTo(StopReason.LINE_SEARCH_FAILED);
    for (FirstOrderMinimizer.ConvergenceReason r : new FirstOrderMinimizer.ConvergenceReason[] {
        FirstOrderMinimizer.GradientConverged$.MODULE$,
        FirstOrderMinimizer.FunctionValuesConverged$.MODULE$,
        FirstOrderMinimizer.ProjectedStepConverged$.MODULE$,
        FirstOrderMinimizer.MonitorFunctionNotImproving$.MODULE$}) {
      assertThat(StopReason.of(r).label()).isEqualTo("converged: " + r.reason());
    }
    for (StopReason reason : StopReason.values()) {
      assertThat(reason.converged()).isEqualTo(reason.label().startsWith("converged: "));
    }
  }
}
