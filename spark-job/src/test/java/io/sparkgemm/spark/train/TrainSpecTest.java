package io.sparkgemm.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import breeze.optimize.FirstOrderMinimizer;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainSpecTest {
  @Test
  void theBuilderStartsFromTrainsDefaults() {
    TrainSpec spec = TrainSpec.builder(Loss.MSE).build();
    assertThat(spec.optimizer()).isEqualTo(Optimizer.LBFGS);
    assertThat(spec.learningRate()).isEqualTo(0.1);
    assertThat(spec.momentum()).isZero();
    assertThat(spec.nesterov()).isFalse();
    assertThat(spec.regParam()).isZero();
    assertThat(spec.maxIter()).isEqualTo(100);
    assertThat(spec.tol()).isEqualTo(1e-6);
    assertThat(spec.lbfgsMemory()).isEqualTo(10);
    assertThat(spec.dtype()).isEqualTo(DType.FLOAT64);
    assertThat(spec.backend()).isEqualTo(BackendOptions.defaults());
    assertThat(spec.treeDepth()).isZero();
    assertThat(spec.batchRows()).as("full-batch: no rows per step").isZero();
    assertThat(spec.epochs()).isZero();
    assertThat(spec.hiddenSizes()).isEmpty();
    assertThat(spec.activation()).isEqualTo(Activation.RELU);
    assertThat(spec.init()).isEqualTo("auto");
    TrainSpec adam = TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).build();
    assertThat(adam.learningRate()).as("adam's own rate, as train's").isEqualTo(0.001);
    assertThat(adam.batchRows()).isEqualTo(256);
    assertThat(adam.epochs()).isEqualTo(10);
    assertThat(adam.beta1()).isEqualTo(0.9);
    assertThat(adam.beta2()).isEqualTo(0.999);
    assertThat(adam.epsilon()).isEqualTo(1e-8);
    assertThat(adam.lrSchedule()).isEqualTo(LrSchedule.CONSTANT);
    assertThat(adam.lrGamma()).isEqualTo(0.1);
    assertThat(TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).learningRate(0.5).build()
        .learningRate()).isEqualTo(0.5);
    TrainSpec gd = TrainSpec.builder(Loss.SOFTMAX_CE).optimizer(Optimizer.GD).learningRate(0.5)
        .momentum(0.9).nesterov(true).regParam(0.25).maxIter(7).tol(0).lbfgsMemory(3)
        .dtype(DType.FLOAT32).treeDepth(2).build();
    assertThat(List.<Object>of(gd.loss(), gd.optimizer(), gd.learningRate(), gd.momentum(),
        gd.nesterov(), gd.regParam(), gd.maxIter(), gd.tol(), gd.lbfgsMemory(), gd.dtype(),
        gd.treeDepth())).containsExactly(Loss.SOFTMAX_CE, Optimizer.GD, 0.5, 0.9, true, 0.25,
            7, 0.0, 3, DType.FLOAT32, 2);
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
