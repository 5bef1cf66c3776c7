package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.spark.reduce.BulkValues;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pass broadcasts, or a minibatch step of a small θ ships inside its tasks: θ unpacked in
 * the pass's dtype ({@link NetworkParams}), serialized in bulk ({@link BulkValues}) rather than
 * value by value.
 */
final class CastParams implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient NetworkParams params;

  CastParams(NetworkParams params) {
    this.params = params;
  }

  NetworkParams params() {
    return params;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    Network network = params.network();
    out.writeObject(network);
    out.writeObject(params.dtype());
    for (int l = 0; l < network.numLayers(); l++) {
      DenseBlock w = params.weight(l);
      if (w.dtype() == DType.FLOAT64) {
        BulkValues.write(out, w.doubles());
      } else {
        BulkValues.write(out, w.floats());
      }
      BulkValues.write(out, params.bias(l));
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    Network network = (Network) in.readObject();
    DType dtype = (DType) in.readObject();
    List<DenseBlock> weights = new ArrayList<>();
    List<double[]> biases = new ArrayList<>();
    for (int l = 0; l < network.numLayers(); l++) {
      int d = network.size(l);
      int k = network.size(l + 1);
      DenseBlock w = DenseBlock.zeros(dtype, d, k);
      if (dtype == DType.FLOAT64) {
        BulkValues.read(in, w.doubles());
      } else {
        BulkValues.read(in, w.floats());
      }
      double[] b = new double[k];
      BulkValues.read(in, b);
      weights.add(w);
      biases.add(b);
    }
    params = NetworkParams.of(network, weights, biases);
  }
}
