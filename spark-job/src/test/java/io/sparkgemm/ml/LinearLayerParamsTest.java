package io.sparkgemm.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Params are checked when set, by MLlib's validators, and errors name the Param. */
class LinearLayerParamsTest {
  @Test
  void aBadStepSizeIsRefusedNamingTheParamNotAFlag() {
    LinearLayerRegressor regressor = new LinearLayerRegressor();
    assertThatThrownBy(() -> regressor.setStepSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stepSize given invalid value -1.0")
        .hasMessageNotContaining("--");
    assertThat(regressor.getOrDefault(regressor.stepSize())).isEqualTo(0.1);
  }

  @Test
  void stringParamsTakeTheirListedValues() {
    LinearLayerClassifier classifier = new LinearLayerClassifier();
    assertThatThrownBy(() -> classifier.setOptimizer("normal"))
        .hasMessageContaining("optimizer given invalid value normal");
    assertThatThrownBy(() -> classifier.setInit("glorot"))
        .hasMessageContaining("init given invalid value glorot");
    assertThatThrownBy(() -> classifier.setMomentum(1.0))
        .hasMessageContaining("momentum given invalid value 1.0");
    assertThatThrownBy(() -> classifier.setRegParam(-0.5))
        .hasMessageContaining("regParam given invalid value -0.5");
    assertThatThrownBy(() -> classifier.setMaxIter(-1))
        .hasMessageContaining("maxIter given invalid value -1");
    assertThatThrownBy(() -> classifier.setBlockRows(-1))
        .hasMessageContaining("blockRows given invalid value -1");
    LinearLayerRegressor regressor = new LinearLayerRegressor().setOptimizer("normal");
    assertThat(regressor.getOrDefault(regressor.optimizer())).isEqualTo("normal");
    classifier.setOptimizer("gd").setInit("orthogonal").setMomentum(0.9).setTol(0);
    assertThat(classifier.getOrDefault(classifier.init())).isEqualTo("orthogonal");
  }
}
