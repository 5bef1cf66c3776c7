package io.sparkgemm.spark.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bulk serialization keeps every bit: a network's gradient sums (with NaN, infinities, -0.0 and
 * subnormals among them) through Java serialization of the reduction buffer, arrays longer and
 * shorter than one 64 KiB chunk.
 */
class BulkValuesTest {
  static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, -Double.MAX_VALUE, 1e-310};

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @Test
  void aNetworksGradientSumKeepsEveryBit() throws Exception {
    // W_0 is 100 x 90: 9,000 values, more than one chunk of 8,192.
    Network network = new Network(new int[] {100, 90, 3}, List.of(Activation.TANH));
    NetworkGradient g = new NetworkGradient(network);
    Random random = new Random(1);
    for (int l = 0; l < 2; l++) {
      GradientAccumulator layer = g.layer(l);
      for (int i = 0; i < layer.dw().length; i++) {
        layer.dw()[i] = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
      }
      for (int i = 0; i < layer.db().length; i++) {
        layer.db()[i] = SPECIAL[i % SPECIAL.length];
      }
    }
    System.arraycopy(SPECIAL, 0, g.layer(0).dw(), 0, SPECIAL.length);
    g.addLoss(2.5, 17);
    GradientSum sum = new GradientSum().add(new PartitionResult(0, g, List.of(), "native", 17,
        1.5, 3.0));
    GradientSum back = roundTrip(sum);
    NetworkGradient copy = back.gradient();
    assertThat(copy.network()).isEqualTo(network);
    for (int l = 0; l < 2; l++) {
      assertThat(bits(copy.layer(l).dw())).isEqualTo(bits(sum.gradient().layer(l).dw()));
      assertThat(bits(copy.layer(l).db())).isEqualTo(bits(sum.gradient().layer(l).db()));
      assertThat(copy.layer(l).loss()).isEqualTo(sum.gradient().layer(l).loss());
      assertThat(copy.layer(l).numRows()).isEqualTo(sum.gradient().layer(l).numRows());
    }
    assertThat(copy.loss()).isEqualTo(2.5);
    assertThat(copy.numRows()).isEqualTo(17);
    assertThat(back.backends()).containsExactly("native");
    assertThat(back.seconds()).isEqualTo(1.5);
    assertThat(back.dxSquares()).isEqualTo(3.0);
    assertThat(back.sizeBytes()).isEqualTo(8L * network.numParameters());
  }

  @Test
  void anEmptySumStaysEmpty() throws Exception {
    GradientSum back = roundTrip(new GradientSum());
    assertThat(back.gradient()).isNull();
    assertThat(back.backends()).isEmpty();
  }

  static long[] bits(double[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Double.doubleToRawLongBits(values[i]);
    }
    return out;
  }
}
