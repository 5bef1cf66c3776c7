package io.sparkgemm.local.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Network's shapes and offsets, θ unpacked, the gradient's layout, and their errors. */
class NetworkTest {

  @Test
  void shapesOffsetsAndDescription() {
    Network net = Network.of(784, new int[] {256, 128}, Activation.RELU, 10);
    assertThat(net.numLayers()).isEqualTo(3);
    assertThat(net.sizes()).containsExactly(784, 256, 128, 10);
    assertThat(net.inFeatures()).isEqualTo(784);
    assertThat(net.outFeatures()).isEqualTo(10);
    assertThat(net.size(2)).isEqualTo(128);
    assertThat(net.activations()).containsExactly(Activation.RELU, Activation.RELU);
    assertThat(net.describe()).isEqualTo("784-256(relu)-128(relu)-10");
    // W_0 784x256 = 200,704, b_0 256; W_1 256x128 = 32,768, b_1 128; W_2 1,280, b_2 10
    assertThat(net.weightOffset(0)).isZero();
    assertThat(net.biasOffset(0)).isEqualTo(200_704);
    assertThat(net.weightOffset(1)).isEqualTo(200_960);
    assertThat(net.biasOffset(1)).isEqualTo(233_728);
    assertThat(net.weightOffset(2)).isEqualTo(233_856);
    assertThat(net.biasOffset(2)).isEqualTo(235_136);
    assertThat(net.numParameters()).isEqualTo(235_146);
    assertThat(net.isLinear()).isFalse();

    Network linear = Network.linear(784, 10);
    assertThat(linear.describe()).isEqualTo("784-10");
    assertThat(linear.numParameters()).isEqualTo(7850);
    assertThat(linear.activations()).isEmpty();
    assertThat(linear.isLinear()).isTrue();
    assertThat(Network.of(784, new int[0], Activation.TANH, 10)).isEqualTo(linear);
    assertThat(new Network(new int[] {5, 4, 3, 2}, List.of(Activation.GELU,
        Activation.LEAKY_RELU)).describe()).isEqualTo("5-4(gelu)-3(leaky-relu)-2");
  }

  @Test
  void equalByShapeAndActivationsAndSerializable() throws Exception {
    Network a = Network.of(3, new int[] {4}, Activation.TANH, 2);
    assertThat(a).isEqualTo(new Network(new int[] {3, 4, 2}, List.of(Activation.TANH)))
        .hasSameHashCodeAs(new Network(new int[] {3, 4, 2}, List.of(Activation.TANH)))
        .isNotEqualTo(Network.of(3, new int[] {4}, Activation.RELU, 2))
        .isNotEqualTo(Network.of(3, new int[] {5}, Activation.TANH, 2));
    int[] sizes = {3, 4, 2};
    Network b = new Network(sizes, List.of(Activation.TANH));
    sizes[1] = 99;   // copied, not shared
    assertThat(b.size(1)).isEqualTo(4);
    assertThat(roundTrip(a)).isEqualTo(a);
    NetworkParams params = Theta.of(a, new double[a.numParameters()]).unpack(DType.FLOAT32);
    assertThat(((NetworkParams) roundTrip(params)).network()).isEqualTo(a);
  }

  @Test
  void badShapesAreRefusedWithWhatCame() {
    assertThatThrownBy(() -> new Network(new int[] {3}, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least two layer sizes").hasMessageContaining("[3]");
    assertThatThrownBy(() -> new Network(new int[] {3, 0, 2}, List.of(Activation.RELU)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d_1 must be at least 1, got 0 in [3, 0, 2]");
    assertThatThrownBy(() -> new Network(new int[] {3, 4, 2}, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 1 hidden layer(s), so it needs 1 activation(s); got 0");
    assertThatThrownBy(() -> new Network(new int[] {3, 2}, List.of(Activation.RELU)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 0 activation(s); got 1 [RELU]");
    // 100,000 x 100,000 + 100,000 = 10,000,100,000 parameters
    assertThatThrownBy(() -> Network.linear(100_000, 100_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100000-100000 has 10000100000 parameters")
        .hasMessageContaining("more than one Java array can hold");
    assertThatThrownBy(() -> Network.linear(3, 2).weightOffset(1))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("Layer 1 of a network with 1 layer(s) (3-2)");
  }

  @Test
  void unpackSplitsThetaLayerByLayerInTheDType() {
    Network net = Network.of(2, new int[] {3}, Activation.SIGMOID, 1);
    // W_0 2x3, b_0 3, W_1 3x1, b_1 1
    double[] theta = {1, 2, 3, 4, 5, 6, 0.1, 0.2, 0.3, 7, 8, 9, 1.0 / 3};
    NetworkParams p64 = Theta.of(net, theta).unpack(DType.FLOAT64);
    assertThat(p64.dtype()).isEqualTo(DType.FLOAT64);
    assertThat(p64.weight(0).toRows()).isEqualTo(new double[][] {{1, 2, 3}, {4, 5, 6}});
    assertThat(p64.bias(0)).containsExactly(0.1, 0.2, 0.3);
    assertThat(p64.weight(1).toRows()).isEqualTo(new double[][] {{7}, {8}, {9}});
    assertThat(p64.bias(1)).containsExactly(1.0 / 3);
    assertThat(p64.pack().values()).containsExactly(theta);
    theta[0] = 100;   // copied
    assertThat(p64.weight(0).get(0, 0)).isEqualTo(1);

    NetworkParams p32 = Theta.of(net, theta).unpack(DType.FLOAT32);
    assertThat(p32.weight(1).floats()).containsExactly(7f, 8f, 9f);
    assertThat(p32.bias(1)).containsExactly(1.0 / 3);   // b stays float64

    assertThatThrownBy(() -> Theta.of(net, new double[12]).unpack(DType.FLOAT64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("θ has 12 values but the network 2-3(sigmoid)-1 has 13 "
            + "parameters");
    NetworkParams of = NetworkParams.of(net, List.of(p64.weight(0), p64.weight(1)),
        List.of(p64.bias(0), p64.bias(1)));
    assertThat(of.pack().values()).containsExactly(p64.pack().values());
    assertThatThrownBy(() -> NetworkParams.of(net, List.of(p64.weight(1), p64.weight(1)),
        List.of(p64.bias(0), p64.bias(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Layer 0 of 2-3(sigmoid)-1 needs W 2x3 (float64) and b with 3 "
            + "values; got W 3x1");
  }

  @Test
  void gradientFlattensInThetaOrderAndMergesLayerByLayer() {
    Network net = Network.of(2, new int[] {3}, Activation.RELU, 1);
    NetworkGradient a = new NetworkGradient(net);
    fill(a, 1);
    a.addLoss(1.5, 4);
    assertThat(a.flat()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    assertThat(a.top()).isSameAs(a.layer(1));
    assertThat(a.layer(0).loss()).isZero();

    NetworkGradient b = new NetworkGradient(net);
    fill(b, 100);
    b.addLoss(0.25, 6);
    assertThat(a.merge(b)).isSameAs(a);
    assertThat(a.flat()).containsExactly(101, 103, 105, 107, 109, 111, 113, 115, 117, 119, 121,
        123, 125);
    assertThat(a.loss()).isEqualTo(1.75);
    assertThat(a.numRows()).isEqualTo(10);
    assertThat(a.layer(0).numRows()).isZero();
    assertThatThrownBy(() -> a.merge(new NetworkGradient(Network.linear(2, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot merge the gradient of 2-1 into that of 2-3(relu)-1");
  }

  /** Fills dW_0, db_0, dW_1, db_1 with start, start + 1, ... in that order. */
  private static void fill(NetworkGradient g, double start) {
    double v = start;
    for (int l = 0; l < g.network().numLayers(); l++) {
      double[] dw = g.layer(l).dw();
      for (int i = 0; i < dw.length; i++) {
        dw[i] = v++;
      }
      double[] db = g.layer(l).db();
      for (int i = 0; i < db.length; i++) {
        db[i] = v++;
      }
    }
  }

  private static Object roundTrip(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }

  @Test
  void unpackedFloat32WeightsAreRoundedOnce() {
    Network net = Network.linear(1, 1);
    NetworkParams p = Theta.of(net, new double[] {0.1, 0.2}).unpack(DType.FLOAT32);
    DenseBlock w = p.weight(0);
    assertThat(w.floats()).containsExactly(0.1f);
    assertThat(p.bias(0)).containsExactly(0.2);
  }
}
