package io.sparkgemm.spark.pass;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.local.net.Theta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The broadcast θ keeps its values through serialization, in both dtypes. */
class CastParamsTest {

  @Test
  void theBroadcastParametersKeepEveryValue() throws Exception {
    Network network = new Network(new int[] {70, 130, 4}, List.of(Activation.RELU));
    double[] theta = new Random(2).doubles(network.numParameters(), -3, 3).toArray();
    theta[0] = -0.0;
    theta[1] = Double.NaN;
    for (DType dtype : DType.values()) {
      NetworkParams params = Theta.of(network, theta).unpack(dtype);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(new CastParams(params));
      }
      NetworkParams back;
      try (ObjectInputStream in = new ObjectInputStream(
          new ByteArrayInputStream(bytes.toByteArray()))) {
        back = ((CastParams) in.readObject()).params();
      }
      assertThat(back.network()).isEqualTo(network);
      assertThat(back.dtype()).isEqualTo(dtype);
      // pack() widens W to float64 as the pass holds it: every value, -0.0 and NaN included
      assertThat(back.pack().values()).as(dtype.label()).isEqualTo(params.pack().values());
      assertThat(Double.doubleToRawLongBits(back.pack().values()[0])).isEqualTo(
          Double.doubleToRawLongBits(-0.0));
      for (int l = 0; l < 2; l++) {
        assertThat(back.bias(l)).isEqualTo(params.bias(l));
      }
    }
  }
}
