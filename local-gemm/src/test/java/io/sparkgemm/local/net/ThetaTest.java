package io.sparkgemm.local.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * θ's layout against a naive oracle that writes it out by hand: for every layer, W_l's rows in
 * order, then b_l.
 */
class ThetaTest {
  static final Network DEEP = new Network(new int[] {3, 4, 2, 5},
      List.of(Activation.RELU, Activation.TANH));

  /** Per-layer W_l[r][c] and b_l[c], drawn with {@code seed}. */
  record Layers(double[][][] w, double[][] b) {
    static Layers random(Network network, long seed) {
      Random random = new Random(seed);
      int layers = network.numLayers();
      double[][][] w = new double[layers][][];
      double[][] b = new double[layers][];
      for (int l = 0; l < layers; l++) {
        w[l] = new double[network.size(l)][];
        for (int r = 0; r < w[l].length; r++) {
          w[l][r] = random.doubles(network.size(l + 1), -1, 1).toArray();
        }
        b[l] = random.doubles(network.size(l + 1), -1, 1).toArray();
      }
      return new Layers(w, b);
    }

    /** The oracle: θ written out value by value, and which entries are weights. */
    double[] naiveTheta() {
      List<Double> out = new ArrayList<>();
      for (int l = 0; l < w.length; l++) {
        for (double[] row : w[l]) {
          for (double v : row) {
            out.add(v);
          }
        }
        for (double v : b[l]) {
          out.add(v);
        }
      }
      return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    boolean[] naiveMask() {
      List<Boolean> out = new ArrayList<>();
      for (int l = 0; l < w.length; l++) {
        for (double[] row : w[l]) {
          for (int c = 0; c < row.length; c++) {
            out.add(true);
          }
        }
        for (int c = 0; c < b[l].length; c++) {
          out.add(false);
        }
      }
      boolean[] mask = new boolean[out.size()];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = out.get(i);
      }
      return mask;
    }

    List<DenseBlock> blocks() {
      List<DenseBlock> out = new ArrayList<>();
      for (double[][] layer : w) {
        out.add(DenseBlock.ofRows(layer));
      }
      return out;
    }
  }

  @Test
  void packLaysOutEveryLayerAsTheOracleDoes() {
    for (Network network : List.of(DEEP, Network.linear(4, 3), Network.linear(1, 1))) {
      Layers layers = Layers.random(network, 7);
      Theta theta = Theta.pack(network, layers.blocks(), List.of(layers.b()));
      assertThat(theta.values()).as(network.describe()).containsExactly(layers.naiveTheta());
      assertThat(Theta.weightMask(network)).containsExactly(layers.naiveMask());
      for (int l = 0; l < network.numLayers(); l++) {
        assertThat(theta.weight(l).toRows()).isEqualTo(layers.w()[l]);
        assertThat(theta.bias(l)).containsExactly(layers.b()[l]);
        for (int r = 0; r < network.size(l); r++) {
          for (int c = 0; c < network.size(l + 1); c++) {
            assertThat(theta.values()[theta.weightIndex(l, r, c)]).isEqualTo(layers.w()[l][r][c]);
          }
        }
        for (int c = 0; c < network.size(l + 1); c++) {
          assertThat(theta.values()[theta.biasIndex(l, c)]).isEqualTo(layers.b()[l][c]);
        }
      }
    }
  }

  @Test
  void theLinearLayerIsWRowMajorThenB() {
    Layers layers = Layers.random(Network.linear(3, 2), 3);
    Theta theta = Theta.linear(DenseBlock.ofRows(layers.w()[0]), layers.b()[0]);
    assertThat(theta.network()).isEqualTo(Network.linear(3, 2));
    assertThat(theta.values()).containsExactly(layers.naiveTheta());
    // float32 W is widened exactly, as the pass holds it
    DenseBlock w32 = DenseBlock.ofRows(layers.w()[0]).toDType(DType.FLOAT32);
    Theta widened = Theta.linear(w32, layers.b()[0]);
    for (int i = 0; i < 6; i++) {
      assertThat(widened.values()[i]).isEqualTo((double) w32.floats()[i]);
    }
    assertThat(widened.unpack(DType.FLOAT32).weight(0).floats()).containsExactly(w32.floats());
  }

  @Test
  void thePenaltyTouchesWeightsOnly() {
    Layers layers = Layers.random(DEEP, 11);
    Theta theta = Theta.of(DEEP, layers.naiveTheta());
    boolean[] mask = layers.naiveMask();
    double squares = 0;
    double[] gradient = new Random(2).doubles(DEEP.numParameters()).toArray();
    double[] expected = gradient.clone();
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        squares += theta.values()[i] * theta.values()[i];
        expected[i] += 0.25 * theta.values()[i];
      }
    }
    assertThat(theta.weightSquares()).isEqualTo(squares);
    theta.addScaledWeights(0.25, gradient);
    assertThat(gradient).containsExactly(expected);
  }

  @Test
  void aGradientAndAnInitialThetaUseTheSameLayout() {
    NetworkGradient g = new NetworkGradient(DEEP);
    Layers layers = Layers.random(DEEP, 5);
    for (int l = 0; l < DEEP.numLayers(); l++) {
      double[] dw = g.layer(l).dw();
      for (int r = 0; r < DEEP.size(l); r++) {
        System.arraycopy(layers.w()[l][r], 0, dw, r * DEEP.size(l + 1), DEEP.size(l + 1));
      }
      System.arraycopy(layers.b()[l], 0, g.layer(l).db(), 0, DEEP.size(l + 1));
    }
    assertThat(g.flat()).containsExactly(layers.naiveTheta());
    double[] init = NetworkInit.create(DEEP, "xavier", 3);
    boolean[] mask = layers.naiveMask();
    for (int i = 0; i < init.length; i++) {
      if (!mask[i]) {
        assertThat(init[i]).as("bias entry %d", i).isZero();
      }
    }
  }

  @Test
  void aMismatchedThetaIsRefusedWithItsShape() {
    assertThatThrownBy(() -> Theta.of(DEEP, new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("θ has 3 values but the network 3-4(relu)-2(tanh)-5 has 41 parameters");
    assertThatThrownBy(() -> Theta.pack(Network.linear(3, 2),
        List.of(DenseBlock.ofDoubles(2, 3, new double[6])), List.of(new double[2])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Layer 0 of 3-2 needs W 3x2 and b with 2 values; got W 2x3 and b with 2");
    assertThatThrownBy(() -> Theta.pack(DEEP, List.of(), List.of()))
        .hasMessageContaining("has 3 layer(s) but got 0 W and 0 b");
  }
}
