package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.train.CheckpointFolder;
import io.sparkgemm.spark.train.Checkpoints;
import io.sparkgemm.spark.train.IterationRecord;
import io.sparkgemm.spark.train.ModelDir;
import io.sparkgemm.spark.train.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model.json or a checkpoint's state.json with a field of the wrong type, or without a field,
 * is refused before Spark starts: exit 2, one error line naming the file and the field.
 */
class DamagedJsonTest {
  @TempDir
  Path dir;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static void edit(Path json, Consumer<ObjectNode> change) throws IOException {
    ObjectNode node = (ObjectNode) MAPPER.readTree(json.toFile());
    change.accept(node);
    MAPPER.writeValue(json.toFile(), node);
  }

  private static String refused(String... args) {
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ");
    assertThat(run.err().lines().count()).isEqualTo(1);
    return run.err();
  }

  private String resume(Path checkpoints) {
    return refused("train", "--loss", "mse", "--x", npy(dir.resolve("X.npy"),
        new double[][] {{1, 2}, {3, 4}}).toString(), "--labels", npy(dir.resolve("T.npy"),
        new double[] {1, 2}).toString(), "--optimizer", "gd", "--resume",
        checkpoints.toString(), "--out", dir.resolve("out").toString(), "--master", "local[2]");
  }

  @Test
  void aCheckpointWithAWrongTypeOrAMissingFieldIsRefusedNamingTheField() throws IOException {
    Path checkpoints = dir.resolve("ckpt");
    Path written = Path.of(Checkpoints.write(CheckpointFolder.of(checkpoints.toString(),
        new Configuration()), 2, Optimizer.GD, DenseBlock.ofRows(new double[][] {{1}, {2}}),
        new double[] {0}, null, List.of(new IterationRecord(0, 2, 2, 1, 0, 0.5, 1),
            new IterationRecord(2, 1, 1, 0.5, 0.1, 0.5, 1))));
    Path state = written.resolve("state.json");
    edit(state, s -> ((ObjectNode) s.get("history").get(1)).put("passes", "one"));
    assertThat(resume(checkpoints)).contains("the checkpoint file " + state + " is damaged: "
        + "history[1].passes is the string \"one\", expected a whole number >= 0");
    edit(state, s -> {
      ((ObjectNode) s.get("history").get(1)).put("passes", 1);
      ((ObjectNode) s.get("history").get(0)).remove("gradientNorm");
    });
    assertThat(resume(checkpoints)).contains("the checkpoint file " + state + " is damaged: "
        + "history[0].gradientNorm is missing, expected a number");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void aModelJsonWithAWrongTypeOrAMissingFieldIsRefusedNamingTheField() throws IOException {
    Path model = dir.resolve("model");
    ModelDir.write(model.toString(), new ModelDir.Model(Theta.of(Network.linear(2, 1),
        new double[] {1, 2, 3}), Loss.MSE, DType.FLOAT64), false, new Configuration());
    Path json = model.resolve("model.json");
    String[] forward = {"forward", "--x", npy(dir.resolve("X.npy"), new double[][] {{1, 2}})
        .toString(), "--model", model.toString(), "--out", dir.resolve("out").toString(),
        "--master", "local[2]"};
    edit(json, j -> ((ArrayNode) j.get("sizes")).set(0, "two"));
    assertThat(refused(forward)).contains(json + ": sizes[0] is the string \"two\", expected a "
        + "whole number >= 0");
    edit(json, j -> {
      ((ArrayNode) j.get("sizes")).set(0, 2);
      j.remove("dtype");
    });
    assertThat(refused(forward)).contains(json + ": dtype is missing, expected a string");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
