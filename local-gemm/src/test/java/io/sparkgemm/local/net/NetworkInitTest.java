package io.sparkgemm.local.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** NetworkInit's statistics per layer (he: variance 2/d; xavier: uniform on ±√(6/(d+k))). */
class NetworkInitTest {
  private static final Network RELU = Network.of(784, new int[] {256}, Activation.RELU, 10);

  @Test
  void autoDrawsHeBeforeReluAndXavierOnTop() {
    double[] theta = NetworkInit.create(RELU, "auto", 7);
    double[] w0 = slice(theta, RELU.weightOffset(0), 784 * 256);
    // 200,704 normal draws: the sample variance is within 1% of 2 / 784 (its error ~0.3%)
    assertThat(mean(w0)).isCloseTo(0, Offset.offset(4 * Math.sqrt(2.0 / 784 / w0.length)));
    assertThat(variance(w0) / (2.0 / 784)).isCloseTo(1, Offset.offset(0.01));
    assertThat(maxAbs(w0)).isGreaterThan(3 * Math.sqrt(2.0 / 784));   // normal tails
    double[] w1 = slice(theta, RELU.weightOffset(1), 256 * 10);
    double bound = Math.sqrt(6.0 / (256 + 10));
    assertThat(maxAbs(w1)).isLessThanOrEqualTo(bound).isGreaterThan(0.98 * bound);
    // uniform on ±a: variance a² / 3 (2,560 draws: error ~1.8%)
    assertThat(variance(w1) / (bound * bound / 3)).isCloseTo(1, Offset.offset(0.07));
    assertThat(slice(theta, RELU.biasOffset(0), 256)).containsOnly(0.0);
    assertThat(slice(theta, RELU.biasOffset(1), 10)).containsOnly(0.0);

    for (Activation act : new Activation[] {Activation.LEAKY_RELU, Activation.GELU}) {
      Network net = Network.of(784, new int[] {256}, act, 10);
      assertThat(variance(slice(NetworkInit.create(net, "AUTO", 7), 0, 784 * 256))
          / (2.0 / 784)).isCloseTo(1, Offset.offset(0.01));
    }
    for (Activation act : new Activation[] {Activation.TANH, Activation.SIGMOID,
        Activation.IDENTITY}) {
      Network net = Network.of(784, new int[] {256}, act, 10);
      double[] w = slice(NetworkInit.create(net, "auto", 7), 0, 784 * 256);
      double a = Math.sqrt(6.0 / (784 + 256));
      assertThat(maxAbs(w)).isLessThanOrEqualTo(a).isGreaterThan(0.999 * a);
      assertThat(variance(w) / (a * a / 3)).isCloseTo(1, Offset.offset(0.01));
    }
  }

  @Test
  void namedSchemesApplyToEveryLayer() {
    double[] he = NetworkInit.create(RELU, "he", 3);
    double[] top = slice(he, RELU.weightOffset(1), 2560);
    // he on the top layer: variance 2 / 256, normal, so past the xavier bound somewhere
    assertThat(variance(top) / (2.0 / 256)).isCloseTo(1, Offset.offset(0.1));
    double[] xavier = NetworkInit.create(RELU, "xavier", 3);
    assertThat(maxAbs(slice(xavier, 0, 784 * 256)))
        .isLessThanOrEqualTo(Math.sqrt(6.0 / (784 + 256)));
    assertThat(NetworkInit.create(RELU, "zeros", 3)).containsOnly(0.0)
        .hasSize(RELU.numParameters());
  }

  @Test
  void aSeedGivesOneThetaAndLayerLDrawsWithSeedPlusL() {
    double[] a = NetworkInit.create(RELU, "auto", 42);
    assertThat(NetworkInit.create(RELU, "auto", 42)).containsExactly(a);
    assertThat(Arrays.equals(NetworkInit.create(RELU, "auto", 43), a)).isFalse();
    // the top layer (layer 1) draws with seed 43: the W of a linear 256-10 drawn with 43
    double[] linear = NetworkInit.create(Network.linear(256, 10), "xavier", 43);
    assertThat(slice(a, RELU.weightOffset(1), 2560)).containsExactly(slice(linear, 0, 2560));
  }

  @Test
  void unknownSchemesNameTheChoices() {
    assertThatThrownBy(() -> NetworkInit.create(RELU, "glorot", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown init 'glorot': expected one of auto, he, xavier, zeros");
  }

  private static double[] slice(double[] v, int from, int length) {
    return Arrays.copyOfRange(v, from, from + length);
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e;
    }
    return s / v.length;
  }

  private static double variance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double e : v) {
      s += (e - m) * (e - m);
    }
    return s / v.length;
  }

  private static double maxAbs(double[] v) {
    double max = 0;
    for (double e : v) {
      max = Math.max(max, Math.abs(e));
    }
    return max;
  }
}
