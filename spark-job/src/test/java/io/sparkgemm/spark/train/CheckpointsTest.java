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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of networks and minibatch optimizers read back exactly (every double's bits), a
 * linear checkpoint written before model.json still loads, state.json keeps the format it had
 * when it was written from maps, and a damaged checkpoint is refused naming the file and the
 * field.
 */
class CheckpointsTest {
  @TempDir
  Path dir;

  private static final IterationRecord EPOCH_ONE = new IterationRecord(4, 0.5, 0.4, 0.3, 0.2,
      0.1, 4);
  private static final Network NET = new Network(new int[] {2, 3, 1}, List.of(Activation.GELU));
  private static final TrainSpec SPEC = TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM)
      .batchRows(25).seed(-7).build();
  private static final RunIdentity.Source SOURCE = new RunIdentity.Source("/data/X.npy",
      "/data/T.npy");

  private CheckpointFolder folder(String name) {
    return CheckpointFolder.of(dir.resolve(name).toString(), new Configuration());
  }

  /** Adam's state after 6 steps of 4 per epoch: mid-epoch 2. */
  private static MinibatchState adamState() {
    int n = NET.numParameters();
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      m[i] = 1.0 / (i + 3);
      v[i] = Math.PI * i;
    }
    EpochRecord epoch = new EpochRecord(1, 4, 0.5, 0.4, 0.3, 0.01, 100, 0.1);
    return MinibatchState.of(6, 1, 2, null, m, v, new double[] {0.1 + 0.2, 1.0 / 3, 0.7}, 50,
        List.of(epoch));
  }

  /** Adam on 2-3(gelu)-1 after 6 steps of 4 per epoch: mid-epoch 2. */
  private Path adamCheckpoint() {
    Network net = NET;
    double[] theta = new double[net.numParameters()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = Math.sqrt(i + 2);
    }
    return Path.of(Checkpoints.write(folder("ckpt"), 6, Optimizer.ADAM,
        new ModelDir.Model(Theta.of(net, theta), Loss.MSE, DType.FLOAT64), null, adamState(),
        SPEC, List.of(EPOCH_ONE),
        RunIdentity.of(SOURCE, 100, net, SPEC, false)));
  }

  /**
   * state.json as spark-gemm wrote it from maps before the records, built here the same way:
   * run and minibatch left out where null.
   */
  private static String mapState(int iteration, String optimizer, RunIdentity run,
      List<IterationRecord> history, MinibatchState s) throws IOException {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("iteration", iteration);
    state.put("optimizer", optimizer);
    if (run != null) {
      state.put("run", run.toMap());
    }
    state.put("history", history.stream().map(IterationRecord::toMap).toList());
    if (s != null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", s.step());
      m.put("epoch", s.epoch());
      m.put("stepInEpoch", s.stepInEpoch());
      m.put("batchRows", SPEC.batchRows());
      m.put("seed", SPEC.seed());
      m.put("objectiveSum", s.sums()[0]);
      m.put("lossSum", s.sums()[1]);
      m.put("seconds", s.sums()[2]);
      m.put("rows", s.rows());
      m.put("epochs", s.epochs().stream().map(EpochRecord::toMap).toList());
      state.put("minibatch", m);
    }
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(state);
  }

  /** Checkpoints written before state.json was bound to records write and read the same. */
  @Test
  void stateJsonIsWrittenAsTheMapsWroteItAndTheirFilesLoad() throws Exception {
    Path adam = adamCheckpoint();
    String old = mapState(6, "adam", RunIdentity.of(SOURCE, 100, NET, SPEC, false),
        List.of(EPOCH_ONE), adamState());
    assertThat(Files.readString(adam.resolve("state.json"))).isEqualTo(old);
    Files.writeString(adam.resolve("state.json"), old);
    assertThat(Checkpoints.latest(folder("ckpt")).minibatch().sums())
        .containsExactly(0.1 + 0.2, 1.0 / 3, 0.7);
    List<IterationRecord> history = List.of(new IterationRecord(0, 2, 2, 1, 0, 0.5, 1),
        new IterationRecord(3, 1.0 / 3, 0.25, 1e-300, 0.1 + 0.2, 0.5, 2));
    Path gd = Path.of(Checkpoints.write(folder("gd"), 3, Optimizer.GD,
        DenseBlock.ofRows(new double[][] {{1}}), new double[] {2}, null, history));
    assertThat(Files.readString(gd.resolve("state.json")))
        .isEqualTo(mapState(3, "gd", null, history, null));
    assertThat(Checkpoints.latest(folder("gd")).history()).isEqualTo(history);
    // a run without labels (sum, mean) records them as null
    RunIdentity noLabels = RunIdentity.of(new RunIdentity.Source("/data/X.npy", null), 100, NET,
        SPEC, false);
    String written = new String(JsonFiles.bytes(CheckpointState.of(6, Optimizer.ADAM,
        adamState(), SPEC, List.of(EPOCH_ONE), noLabels)), StandardCharsets.UTF_8);
    assertThat(written).isEqualTo(mapState(6, "adam", noLabels, List.of(EPOCH_ONE),
        adamState()));
    assertThat(JsonFiles.read(new ByteArrayInputStream(written.getBytes(StandardCharsets.UTF_8)),
        CheckpointState.class).run()).containsEntry("labels", null);
  }

  /** Every field is checked against its type and its range, named from the file's root. */
  @Test
  void aFieldOfTheWrongTypeOrMissingIsRefusedNamingIt() throws IOException {
    Path c = adamCheckpoint();
    Path file = c.resolve("state.json");
    ObjectMapper mapper = new ObjectMapper();
    Map<String, Consumer<ObjectNode>> damages = new LinkedHashMap<>();
    damages.put("history[0].passes is 1.5, expected a whole number >= 0",
        s -> ((ObjectNode) s.get("history").get(0)).put("passes", 1.5));
    damages.put("minibatch.seed is 2.5, expected a whole number",
        s -> ((ObjectNode) s.get("minibatch")).put("seed", 2.5));
    damages.put("minibatch.epochs[0].rows is missing, expected a whole number",
        s -> ((ObjectNode) s.get("minibatch").get("epochs").get(0)).remove("rows"));
    damages.put("minibatch.step is -6, expected a whole number >= 0",
        s -> ((ObjectNode) s.get("minibatch")).put("step", -6));
    damages.put("optimizer is 3, expected a string", s -> s.put("optimizer", 3));
    damages.put("history[0] is null, expected an object",
        s -> ((ArrayNode) s.get("history")).setNull(0));
    damages.put("run is [], expected an object", s -> s.putArray("run"));
    String good = Files.readString(file);
    for (Map.Entry<String, Consumer<ObjectNode>> damage : damages.entrySet()) {
      ObjectNode state = (ObjectNode) mapper.readTree(good);
      damage.getValue().accept(state);
      mapper.writeValue(file.toFile(), state);
      assertThatThrownBy(() -> Checkpoints.latest(folder("ckpt")))
          .hasMessage("resumeDir: the checkpoint file " + file + " is damaged: "
              + damage.getKey());
    }
  }

  @Test
  void anAdamCheckpointReadsBackBitForBit() {
    Path written = adamCheckpoint();
    assertThat(written.getFileName().toString()).isEqualTo("iter-00000006");
    Checkpoints.Checkpoint c = Checkpoints.latest(folder("ckpt"));
    assertThat(c.optimizer()).isEqualTo(Optimizer.ADAM);
    assertThat(c.iteration()).isEqualTo(6);
    assertThat(c.batchRows()).isEqualTo(25);
    assertThat(c.seed()).isEqualTo(-7);
    assertThat(c.model().network().describe()).isEqualTo("2-3(gelu)-1");
    for (int i = 0; i < c.model().theta().values().length; i++) {
      assertThat(c.model().theta().values()[i]).isEqualTo(Math.sqrt(i + 2));
      assertThat(c.minibatch().m()[i]).isEqualTo(1.0 / (i + 3));
      assertThat(c.minibatch().v()[i]).isEqualTo(Math.PI * i);
    }
    assertThat(c.minibatch().step()).isEqualTo(6);
    assertThat(c.minibatch().epoch()).isEqualTo(1);
    assertThat(c.minibatch().stepInEpoch()).isEqualTo(2);
    assertThat(c.minibatch().sums()).containsExactly(0.1 + 0.2, 1.0 / 3, 0.7);
    assertThat(c.minibatch().rows()).isEqualTo(50);
    assertThat(c.minibatch().epochs()).containsExactly(
        new EpochRecord(1, 4, 0.5, 0.4, 0.3, 0.01, 100, 0.1));
    assertThat(c.history()).containsExactly(EPOCH_ONE);
    assertThat(c.start().minibatch()).isNotNull();
    assertThat(c.run().compareTo(RunIdentity.of(SOURCE, 100, NET, SPEC, false)))
        .isEqualTo(new RunIdentity.Comparison(List.of(), List.of()));
  }

  /** The run read back from state.json names what differs: data refused, settings reported. */
  @Test
  void theRecordedRunNamesWhatAResumeChanges() {
    adamCheckpoint();
    RunIdentity recorded = Checkpoints.latest(folder("ckpt")).run();
    TrainSpec other = TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).batchRows(25)
        .seed(-7).learningRate(0.05).epochs(3).build();
    RunIdentity.Comparison c = recorded.compareTo(RunIdentity.of(
        new RunIdentity.Source("/other/X.npy", "/data/T.npy"), 99, NET, other, false));
    assertThat(c.refused()).containsExactly("rows 100, here 99",
        "X /data/X.npy, here /other/X.npy");
    assertThat(c.changed()).containsExactly("learningRate 0.001 -> 0.05", "epochs 10 -> 3");
    assertThat(recorded.compareTo(RunIdentity.of(SOURCE, RunIdentity.ROWS_UNKNOWN, NET, SPEC,
        false)).refused()).as("rows not known yet").isEmpty();
  }

  /** Only iter-NNNNNNNN folders are checkpoints: listed in iteration order, cleared alone. */
  @Test
  void aCheckpointFolderListsAndClearsOnlyCheckpoints() throws IOException {
    Path root = dir.resolve("folder");
    CheckpointFolder folder = folder("folder");
    for (String name : List.of("iter-00000010", "iter-00000002", "iter-123456789", "iter-x",
        "notes")) {
      Files.createDirectories(root.resolve(name));
    }
    Files.writeString(root.resolve("iter-00000003"), "a file, not a checkpoint");
    assertThat(folder.names()).containsExactly("iter-00000002",
        "iter-00000010", "iter-123456789");
    assertThat(folder.clear()).containsExactly("iter-00000002", "iter-00000010",
        "iter-123456789");
    try (var left = Files.list(root)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("iter-x", "notes", "iter-00000003");
    }
  }

  @Test
  void aLinearCheckpointFromBeforeModelJsonStillLoads() throws IOException {
    Path old = Files.createDirectories(dir.resolve("old").resolve("iter-00000002"));
    Npy.write(old.resolve("W.npy"), NpyArray.of(DenseBlock.ofRows(new double[][] {{1, 2},
        {3, 4}, {5, 6}})));
    Npy.write(old.resolve("b.npy"), NpyArray.ofVector(new double[] {-1, -2}));
    Npy.write(old.resolve("velocity.npy"), NpyArray.ofVector(new double[] {0, 1, 2, 3, 4, 5,
        6, 7}));
    Files.writeString(old.resolve("state.json"), "{\"iteration\": 2, \"optimizer\": \"gd\", "
        + "\"history\": [{\"iteration\": 0, \"objective\": 2.0, \"loss\": 2.0, "
        + "\"gradientNorm\": 1.0, \"step\": 0.0, \"seconds\": 0.5, \"passes\": 1}, "
        + "{\"iteration\": 2, \"objective\": 1.0, \"loss\": 1.0, \"gradientNorm\": 0.5, "
        + "\"step\": 0.1, \"seconds\": 0.5, \"passes\": 1}]}");
    Checkpoints.Checkpoint c = Checkpoints.latest(folder("old"));
    assertThat(c.model().network().sizes()).containsExactly(3, 2);
    assertThat(c.model().theta().values()).containsExactly(1, 2, 3, 4, 5, 6, -1, -2);
    assertThat(c.velocity()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(c.minibatch()).isNull();
    assertThat(c.history()).hasSize(2);
  }

  @Test
  void aDamagedMinibatchCheckpointIsRefusedNamingTheFile() throws IOException {
    Path c = adamCheckpoint();
    Files.delete(c.resolve("adam-v.npy"));
    assertThatThrownBy(() -> Checkpoints.latest(folder("ckpt")))
        .hasMessageContaining("resumeDir: the checkpoint file " + c.resolve("adam-v.npy")
            + " is damaged: missing (Adam's v is part of the checkpoint of adam)");
    Npy.write(c.resolve("adam-v.npy"), NpyArray.ofVector(new double[3]));
    assertThatThrownBy(() -> Checkpoints.latest(folder("ckpt")))
        .hasMessageContaining("adam-v.npy is damaged: Adam's v has 3 values but the "
            + "network 2-3(gelu)-1 needs 13");
    Npy.write(c.resolve("adam-v.npy"), NpyArray.ofVector(new double[13]));
    Npy.write(c.resolve("W1.npy"), NpyArray.of(DenseBlock.ofRows(new double[][] {{1, 2}})));
    assertThatThrownBy(() -> Checkpoints.latest(folder("ckpt")))
        .hasMessageContaining("the checkpoint file " + c.resolve("W1.npy") + " is damaged: "
            + "W1 is (1, 2) but model.json says (3, 1)");
    Npy.write(c.resolve("W1.npy"), NpyArray.of(DenseBlock.ofRows(new double[][] {{1}, {2},
        {3}})));
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode state = (ObjectNode) mapper.readTree(c.resolve("state.json").toFile());
    ((ObjectNode) state.get("minibatch")).put("stepInEpoch", "two");
    mapper.writeValue(c.resolve("state.json").toFile(), state);
    assertThatThrownBy(() -> Checkpoints.latest(folder("ckpt")))
        .hasMessageContaining("state.json is damaged: minibatch.stepInEpoch is the string "
            + "\"two\", expected a whole number >= 0");
    state.remove("minibatch");
    mapper.writeValue(c.resolve("state.json").toFile(), state);
    assertThatThrownBy(() -> Checkpoints.latest(folder("ckpt")))
        .hasMessageContaining("state.json is damaged: minibatch is missing, expected the state "
            + "of adam");
  }
}
