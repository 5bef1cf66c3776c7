package io.sparkgemm.local.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Activation values against their formulas, derivatives against central differences. */
class ActivationTest {
  private static final double[] EXTREMES = {-1e300, -1e200, -1e5, -800, -710, -40, 40, 710,
      800, 1e5, 1e200, 1e300, Double.MAX_VALUE, -Double.MAX_VALUE, Double.NEGATIVE_INFINITY,
      Double.POSITIVE_INFINITY, 0.0, -0.0};

  @Test
  void valuesMatchTheirFormulas() {
    assertThat(Activation.RELU.value(-2)).isEqualTo(0.0);
    assertThat(Activation.RELU.value(3)).isEqualTo(3.0);
    assertThat(Activation.LEAKY_RELU.value(-2)).isEqualTo(-0.02);
    assertThat(Activation.LEAKY_RELU.value(2)).isEqualTo(2.0);
    assertThat(Activation.IDENTITY.value(-7.5)).isEqualTo(-7.5);
    // gelu (tanh approximation) at ±1: 0.5 z (1 + tanh(√(2/π)(z + 0.044715 z³)))
    assertThat(Activation.GELU.value(1)).isCloseTo(0.8411919906082768, Offset.offset(1e-15));
    assertThat(Activation.GELU.value(-1)).isCloseTo(-0.15880800939172324,
        Offset.offset(1e-15));
    for (double z = -6; z <= 6; z += 0.125) {
      // sigmoid is MLlib's formula, bit for bit
      assertThat(Activation.SIGMOID.value(z)).isEqualTo(1.0 / (1.0 + Math.exp(-z)));
      assertThat(Activation.TANH.value(z)).isEqualTo(Math.tanh(z));
      assertThat(Activation.GELU.value(z)).isCloseTo(NetworkOracle.act(Activation.GELU, z),
          Offset.offset(1e-14 * Math.max(1, Math.abs(z))));
    }
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void safeForAnyFiniteOrInfiniteInput(Activation act) {
    for (double z : EXTREMES) {
      assertThat(act.value(z)).as("%s(%s)", act, z).isNotNaN();
      assertThat(act.derivative(z)).as("%s'(%s)", act, z).isNotNaN();
    }
    DenseBlock block = DenseBlock.ofDoubles(1, EXTREMES.length, EXTREMES.clone());
    act.apply(block, 0, 1);
    for (double v : block.doubles()) {
      assertThat(v).isNotNaN();
    }
    float[] floats = new float[] {-1e30f, -100f, -90f, 90f, 100f, 1e30f, Float.MAX_VALUE,
        -Float.MAX_VALUE};
    DenseBlock f32 = DenseBlock.ofFloats(1, floats.length, floats);
    act.apply(f32, 0, 1);
    for (float v : f32.floats()) {
      assertThat(v).isNotNaN();
    }
  }

  @Test
  void saturatedValuesAreTheLimits() {
    assertThat(Activation.SIGMOID.value(-800)).isEqualTo(0.0);
    assertThat(Activation.SIGMOID.value(800)).isEqualTo(1.0);
    assertThat(Activation.SIGMOID.value(-700)).isCloseTo(Math.exp(-700),
        Offset.offset(1e-14 * Math.exp(-700)));
    assertThat(Activation.GELU.value(1e200)).isEqualTo(1e200);
    assertThat(Activation.GELU.value(-1e200)).isEqualTo(0.0);
    assertThat(Activation.GELU.value(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(Activation.GELU.derivative(1e200)).isEqualTo(1.0);
    assertThat(Activation.GELU.derivative(-1e200)).isEqualTo(0.0);
    assertThat(Activation.TANH.derivative(40)).isEqualTo(0.0);
    assertThat(Activation.SIGMOID.derivative(-800)).isEqualTo(0.0);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void derivativesMatchCentralDifferences(Activation act) {
    double h = 1e-6;
    for (double z = -4.05; z <= 4; z += 0.1) {   // never 0, where relu has its kink
      double fd = (NetworkOracle.act(act, z + h) - NetworkOracle.act(act, z - h)) / (2 * h);
      assertThat(act.derivative(z)).as("%s'(%s)", act, z).isCloseTo(fd, Offset.offset(1e-8));
      if (!act.needsInput()) {
        assertThat(act.derivativeFromOutput(act.value(z))).isEqualTo(act.derivative(z));
      }
    }
    assertThat(Activation.RELU.derivative(0)).isEqualTo(0.0);
    assertThat(Activation.LEAKY_RELU.derivative(0)).isEqualTo(0.01);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void blocksApplyElementByElementOverTheirRows(Activation act) {
    double[] z = {-3, -0.5, 0, 0.25, 2, 7, -1.5, 0.75, -0.001, 0.001, 3.5, -6};   // 4 x 3
    for (DType dtype : DType.values()) {
      DenseBlock zb = DenseBlock.ofDoubles(4, 3, z.clone()).toDType(dtype);
      DenseBlock a = zb.copy();
      act.apply(a, 1, 3);   // rows 1 and 2 only
      DenseBlock g = DenseBlock.ofDoubles(4, 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
          11, 12}).toDType(dtype);
      act.backward(act.needsInput() ? zb : a, g, 1, 3);
      for (int i = 0; i < z.length; i++) {
        boolean inside = i >= 3 && i < 9;
        double zi = zb.get(i / 3, i % 3);
        double expectedA = inside ? NetworkOracle.act(act, zi) : zi;
        double expectedG = inside ? (i + 1) * act.derivative(zi) : i + 1;
        double tol = dtype == DType.FLOAT64 ? 1e-15 : 1e-6;
        assertThat(a.get(i / 3, i % 3)).as("%s %s a[%d]", act, dtype, i)
            .isCloseTo(expectedA, Offset.offset(tol * Math.max(1, Math.abs(expectedA))));
        assertThat(g.get(i / 3, i % 3)).as("%s %s g[%d]", act, dtype, i)
            .isCloseTo(expectedG, Offset.offset(tol * Math.max(1, Math.abs(expectedG))));
      }
    }
  }

  @Test
  void labelsParseAndMismatchedBlocksAreRefused() {
    assertThat(Activation.LABELS).containsExactly("identity", "relu", "leaky-relu", "tanh",
        "sigmoid", "gelu");
    assertThat(Activation.parse("Leaky-ReLU")).isEqualTo(Activation.LEAKY_RELU);
    assertThatThrownBy(() -> Activation.parse("swish"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown activation 'swish': expected one of identity, relu, leaky-relu, "
            + "tanh, sigmoid, gelu");
    assertThatThrownBy(() -> Activation.TANH.apply(DenseBlock.zeros(DType.FLOAT64, 2, 3),
        DenseBlock.zeros(DType.FLOAT32, 2, 3), 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2x3 float64 and 2x3 float32");
    assertThatThrownBy(() -> Activation.RELU.backward(DenseBlock.zeros(DType.FLOAT64, 2, 3),
        DenseBlock.zeros(DType.FLOAT64, 2, 3), 1, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows 1..3 of blocks with 2 and 2 rows");
    assertThatThrownBy(() -> Activation.GELU.derivativeFromOutput(0.5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gelu's derivative needs z");
  }
}
