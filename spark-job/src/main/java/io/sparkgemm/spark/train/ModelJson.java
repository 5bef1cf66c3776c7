package io.sparkgemm.spark.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model folder's {@code model.json} as written and read ({@link ModelDir}, {@link JsonFiles}),
 * checked field by field: the format and its version, the sizes d_0 .. d_L, one activation per
 * hidden layer, the loss head (always written, null when training did not say: a file without
 * it was edited, and a default would make it a model it never was), the dtype, and the plain
 * names of each layer's files.
 */
record ModelJson(String format, Integer version, int[] sizes, List<String> activations,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.SET) String loss, String dtype,
    List<Layer> layers) {

  /** One layer's files, in the folder. */
  record Layer(@JsonProperty("W") String weights, @JsonProperty("b") String bias) {
    /** As the error messages show it. */
    String text() {
      return "{\"W\": \"" + weights + "\", \"b\": \"" + bias + "\"}";
    }
  }

  ModelJson {
    if (!ModelDir.FORMAT.equals(format)) {
      throw new IllegalArgumentException("format is \"" + format + "\", expected \""
          + ModelDir.FORMAT + "\"");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version is " + version + ", expected "
          + ModelDir.VERSION);
    }
    if (version > ModelDir.VERSION) {
      throw new IllegalArgumentException("version " + version + " is newer than this "
          + "spark-gemm reads (" + ModelDir.VERSION + ")");
    }
    if (sizes.length < 2) {
      throw new IllegalArgumentException("sizes is " + Arrays.toString(sizes) + ", expected a "
          + "list of at least two layer widths [d_0, ..., d_L]");
    }
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 1) {
        throw new IllegalArgumentException("sizes[" + i + "] is " + sizes[i]
            + ", expected a width >= 1");
      }
    }
    int hidden = sizes.length - 2;
    if (activations.size() != hidden) {
      throw new IllegalArgumentException("activations is " + activations + ", expected a list "
          + "of " + hidden + " (one per hidden layer)");
    }
    for (String a : activations) {
      if (!Activation.LABELS.contains(a)) {
        throw new IllegalArgumentException("unknown activation \"" + a + "\": expected one of "
            + String.join(", ", Activation.LABELS));
      }
    }
    List<String> losses = Loss.labels(List.of(Loss.values()));
    if (loss != null && !losses.contains(loss)) {
      throw new IllegalArgumentException("unknown loss \"" + loss + "\": expected one of "
          + String.join(", ", losses));
    }
    try {
      DType.parse(dtype);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("dtype is \"" + dtype + "\", expected float64 or "
          + "float32");
    }
    if (layers.size() != sizes.length - 1) {
      throw new IllegalArgumentException("layers is a list of " + layers.size() + ", expected a "
          + "list of " + (sizes.length - 1) + " {\"W\": file, \"b\": file} (one per layer of "
          + "sizes)");
    }
    for (int l = 0; l < layers.size(); l++) {
      if (!plainName(layers.get(l).weights()) || !plainName(layers.get(l).bias())) {
        throw new IllegalArgumentException("layers[" + l + "] is " + layers.get(l).text()
            + ", expected {\"W\": file, \"b\": file} with plain file names in the folder");
      }
    }
    network(sizes, activations);
  }

  /** The description of {@code model}, its files named as {@link ModelDir} writes them. */
  static ModelJson of(ModelDir.Model model) {
    Network net = model.network();
    List<Layer> layers = new ArrayList<>();
    for (int l = 0; l < net.numLayers(); l++) {
      String[] files = ModelDir.fileNames(net, l);
      layers.add(new Layer(files[0], files[1]));
    }
    return new ModelJson(ModelDir.FORMAT, ModelDir.VERSION, net.sizes(),
        net.activations().stream().map(Activation::label).toList(),
        model.loss() == null ? null : model.loss().label(), model.dtype().label(), layers);
  }

  /** The network the sizes and activations describe. */
  Network network() {
    return network(sizes, activations);
  }

  /** The network, or the file's damage where Network refuses it. */
  private static Network network(int[] sizes, List<String> activations) {
    return new Network(sizes, activations.stream().map(Activation::parse).toList());
  }

  Loss lossValue() {
    return loss == null ? null : Loss.parse(loss);
  }

  DType dtypeValue() {
    return DType.parse(dtype);
  }

  private static boolean plainName(String name) {
    return !name.isEmpty() && !name.contains("/") && !name.contains("\\") && !name.equals("..")
        && !name.equals(".");
  }
}
