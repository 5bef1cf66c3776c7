package io.sparkgemm.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model folder: written and read back value for value, each file holding the layer that
 * θ's layout puts there (checked against numbers placed by hand), model.json as it was written
 * from a map, and damaged folders refused naming the file and the field.
 */
class ModelDirTest {
  @TempDir
  Path dir;

  private static final Configuration CONF = new Configuration();

  /** θ_i = i + 0.5 for 3-2(tanh)-1: W0 is θ[0..6), b0 θ[6..8), W1 θ[8..10), b1 θ[10]. */
  private static ModelDir.Model network() {
    Network net = new Network(new int[] {3, 2, 1}, List.of(Activation.TANH));
    double[] theta = new double[11];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = i + 0.5;
    }
    return new ModelDir.Model(Theta.of(net, theta), Loss.MSE, DType.FLOAT32);
  }

  @Test
  void aNetworkRoundTripsWithOneFilePerWAndB() throws IOException {
    Path out = dir.resolve("model");
    ModelDir.write(out.toString(), network(), false, CONF);
    assertThat(names(out)).containsExactlyInAnyOrder("W0.npy", "b0.npy", "W1.npy",
        "b1.npy", "model.json", "_SPARK_GEMM");
    DenseBlock w0 = Npy.read(out.resolve("W0.npy")).toBlock();
    assertThat(w0.numRows()).isEqualTo(3);
    assertThat(w0.numCols()).isEqualTo(2);
    assertThat(w0.doubles()).containsExactly(0.5, 1.5, 2.5, 3.5, 4.5, 5.5);
    assertThat(Npy.read(out.resolve("b0.npy")).toVector()).containsExactly(6.5, 7.5);
    assertThat(Npy.read(out.resolve("W1.npy")).toBlock().doubles()).containsExactly(8.5, 9.5);
    assertThat(Npy.read(out.resolve("b1.npy")).toVector()).containsExactly(10.5);
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(out.resolve("model.json")
        .toFile());
    assertThat(json.get("format").asText()).isEqualTo("spark-gemm-model");
    assertThat(json.get("version").asInt()).isEqualTo(1);
    assertThat(json.get("sizes").toString()).isEqualTo("[3,2,1]");
    assertThat(json.get("activations").toString()).isEqualTo("[\"tanh\"]");
    assertThat(json.get("loss").asText()).isEqualTo("mse");
    assertThat(json.get("dtype").asText()).isEqualTo("float32");
    ModelDir.Model back = ModelDir.read(out.toString(), CONF);
    assertThat(back.network().sizes()).containsExactly(3, 2, 1);
    assertThat(back.network().activations()).containsExactly(Activation.TANH);
    assertThat(back.theta().values()).containsExactly(network().theta().values());
    assertThat(back.loss()).isEqualTo(Loss.MSE);
    assertThat(back.dtype()).isEqualTo(DType.FLOAT32);
  }

  @Test
  void theLinearModelKeepsWAndBAndOldFoldersStillRead() {
    Network linear = Network.linear(2, 3);
    double[] theta = {1, 2, 3, 4, 5, 6, -1, -2, -3};
    Path out = dir.resolve("linear");
    ModelDir.write(out.toString(), new ModelDir.Model(Theta.of(linear, theta), Loss.SOFTMAX_CE,
        DType.FLOAT64), false, CONF);
    assertThat(names(out)).containsExactlyInAnyOrder("W.npy", "b.npy", "model.json",
        "_SPARK_GEMM");
    assertThat(Npy.read(out.resolve("W.npy")).toBlock().doubles())
        .containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(ModelDir.read(out.toString(), CONF).theta().values()).containsExactly(theta);
    // train's output before model.json: W.npy and b.npy alone
    Path old = dir.resolve("old");
    Npy.write(old.resolve("W.npy"), NpyArray.of(DenseBlock.ofRows(new double[][] {{1, 2}})));
    Npy.write(old.resolve("b.npy"), NpyArray.ofVector(new double[] {7, 8}));
    ModelDir.Model back = ModelDir.read(old.toString(), CONF);
    assertThat(back.network().sizes()).containsExactly(1, 2);
    assertThat(back.theta().values()).containsExactly(1, 2, 7, 8);
    assertThat(back.loss()).isNull();
  }

  /** model.json as spark-gemm wrote it from a map before the record, built here the same way. */
  private static String mapJson(int[] sizes, List<String> activations, String loss, String dtype)
      throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("format", "spark-gemm-model");
    json.put("version", 1);
    json.put("sizes", sizes);
    json.put("activations", activations);
    json.put("loss", loss);
    json.put("dtype", dtype);
    List<Map<String, String>> layers = new ArrayList<>();
    for (int l = 0; l < sizes.length - 1; l++) {
      String suffix = sizes.length == 2 ? "" : String.valueOf(l);
      Map<String, String> layer = new LinkedHashMap<>();
      layer.put("W", "W" + suffix + ".npy");
      layer.put("b", "b" + suffix + ".npy");
      layers.add(layer);
    }
    json.put("layers", layers);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(json);
  }

  /** Folders written before model.json was bound to a record write and read the same. */
  @Test
  void modelJsonIsWrittenAsTheMapWroteItAndItsFilesLoad() throws IOException {
    Path out = dir.resolve("model");
    ModelDir.write(out.toString(), network(), false, CONF);
    String old = mapJson(new int[] {3, 2, 1}, List.of("tanh"), "mse", "float32");
    assertThat(Files.readString(out.resolve("model.json"))).isEqualTo(old);
    Path linear = dir.resolve("linear");
    ModelDir.write(linear.toString(), new ModelDir.Model(Theta.of(Network.linear(1, 2),
        new double[] {1, 2, 3, 4}), null, DType.FLOAT64), false, CONF);
    String oldLinear = mapJson(new int[] {1, 2}, List.of(), null, "float64");
    assertThat(Files.readString(linear.resolve("model.json"))).isEqualTo(oldLinear);
    Files.writeString(out.resolve("model.json"), old);
    assertThat(ModelDir.read(out.toString(), CONF).theta().values())
        .containsExactly(network().theta().values());
    Files.writeString(linear.resolve("model.json"), oldLinear);
    assertThat(ModelDir.read(linear.toString(), CONF).loss()).isNull();
  }

  /** Every field is checked against its type, named from the file's root. */
  @Test
  void aFieldOfTheWrongTypeOrMissingIsRefusedNamingIt() {
    Map<String, Consumer<ObjectNode>> damages = new LinkedHashMap<>();
    damages.put("sizes[1] is the string \"two\", expected a whole number >= 0",
        j -> ((ArrayNode) j.get("sizes")).set(1, "two"));
    damages.put("version is 1.0, expected a whole number >= 0", j -> j.put("version", 1.0));
    damages.put("layers[1].b is missing, expected a string",
        j -> ((ObjectNode) j.get("layers").get(1)).remove("b"));
    damages.put("activations is missing, expected a list", j -> j.remove("activations"));
    damages.put("activations[0] is null, expected a string",
        j -> ((ArrayNode) j.get("activations")).setNull(0));
    damages.put("loss is 5, expected a string", j -> j.put("loss", 5));
    damages.put("format is null, expected a string", j -> j.putNull("format"));
    int i = 0;
    for (Map.Entry<String, Consumer<ObjectNode>> damage : damages.entrySet()) {
      Path folder = damaged("typed-" + i++, f -> editJson(f, damage.getValue()));
      assertThatThrownBy(() -> ModelDir.read(folder.toString(), CONF))
          .hasMessage(folder.resolve("model.json") + ": " + damage.getKey()
              + " (the model folder is damaged)");
    }
  }

  /** The folder's files but Hadoop's hidden .crc files. */
  private static List<String> names(Path folder) {
    return Stream.of(folder.toFile().list()).filter(n -> !n.startsWith(".")).toList();
  }

  private Path damaged(String name, Consumer<Path> damage) {
    Path out = dir.resolve(name);
    ModelDir.write(out.toString(), network(), false, CONF);
    damage.accept(out);
    return out;
  }

  private static void editJson(Path folder, Consumer<ObjectNode> edit) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode json = (ObjectNode) mapper.readTree(folder.resolve("model.json").toFile());
      edit.accept(json);
      mapper.writeValue(folder.resolve("model.json").toFile(), json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void damagedFoldersAreRefusedNamingTheFile() throws IOException {
    Path missing = damaged("missing", f -> f.resolve("b1.npy").toFile().delete());
    assertThatThrownBy(() -> ModelDir.read(missing.toString(), CONF))
        .hasMessageContaining(missing.resolve("b1.npy").toString()).hasMessageContaining("missing");
    Path shape = damaged("shape", f -> Npy.write(f.resolve("W1.npy"),
        NpyArray.of(DenseBlock.ofRows(new double[][] {{1, 2, 3}}))));
    assertThatThrownBy(() -> ModelDir.read(shape.toString(), CONF))
        .hasMessageContaining(shape.resolve("W1.npy").toString())
        .hasMessageContaining("W1 is (1, 3) but model.json says (2, 1)");
    Path bias = damaged("bias", f -> Npy.write(f.resolve("b0.npy"),
        NpyArray.ofVector(new double[3])));
    assertThatThrownBy(() -> ModelDir.read(bias.toString(), CONF))
        .hasMessageContaining("b0.npy: b0 has 3 values but model.json says 2");
    Path activation = damaged("activation", f -> editJson(f, j ->
        ((ArrayNode) j.get("activations")).set(0, "swish")));
    assertThatThrownBy(() -> ModelDir.read(activation.toString(), CONF))
        .hasMessageContaining(activation.resolve("model.json").toString())
        .hasMessageContaining("unknown activation \"swish\": expected one of identity, relu, "
            + "leaky-relu, tanh, sigmoid, gelu");
    Path sizes = damaged("sizes", f -> editJson(f, j -> ((ArrayNode) j.get("sizes")).set(1,
        0)));
    assertThatThrownBy(() -> ModelDir.read(sizes.toString(), CONF))
        .hasMessageContaining("sizes[1] is 0, expected a width >= 1");
    Path format = damaged("format", f -> editJson(f, j -> j.put("format", "keras")));
    assertThatThrownBy(() -> ModelDir.read(format.toString(), CONF))
        .hasMessageContaining("format is \"keras\", expected \"spark-gemm-model\"");
    Path escape = damaged("escape", f -> editJson(f, j -> ((ObjectNode) j.get("layers").get(0))
        .put("W", "../W0.npy")));
    assertThatThrownBy(() -> ModelDir.read(escape.toString(), CONF))
        .hasMessageContaining("layers[0] is");
    Path notNpy = damaged("not-npy", f -> {
      try {
        Files.writeString(f.resolve("W0.npy"), "not an npy file");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThatThrownBy(() -> ModelDir.read(notNpy.toString(), CONF))
        .hasMessageContaining(notNpy.resolve("W0.npy").toString())
        .hasMessageContaining("not a .npy file");
    Path notJson = damaged("not-json", f -> {
      try {
        Files.writeString(f.resolve("model.json"), "{\"format\": oops");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThatThrownBy(() -> ModelDir.read(notJson.toString(), CONF))
        .hasMessageContaining("model.json: not JSON");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> ModelDir.read(empty.toString(), CONF))
        .hasMessageContaining("model.json is missing");
    assertThatThrownBy(() -> ModelDir.read(dir.resolve("nowhere").toString(), CONF))
        .hasMessageContaining("no such folder");
  }
  @Test
  void everyFieldMustBeThereOnceAndModelJsonMustBeAFile() throws IOException {
    // The writer always writes loss (null when unknown) and dtype: a folder without them was
    // edited, and a default would make it a model it never was.
    for (String field : List.of("loss", "dtype")) {
      Path dropped = damaged("no-" + field, f -> editJson(f, j -> j.remove(field)));
      assertThatThrownBy(() -> ModelDir.read(dropped.toString(), CONF))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(dropped.resolve("model.json").toString())
          .hasMessageContaining(field + " is missing");
    }
    Path twice = damaged("twice", f -> {
      try {
        String json = Files.readString(f.resolve("model.json"));
        Files.writeString(f.resolve("model.json"),
            json.replaceFirst("\\{", "{\"loss\": \"mse\", "));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThatThrownBy(() -> ModelDir.read(twice.toString(), CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.json: not JSON")
        .hasMessageContaining("Duplicate field 'loss'");
    Path folder = damaged("json-folder", f -> {
      try {
        Files.delete(f.resolve("model.json"));
        Files.createDirectory(f.resolve("model.json"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThatThrownBy(() -> ModelDir.read(folder.toString(), CONF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(folder.resolve("model.json") + ": is a directory, expected");
  }
}
