package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint records the run it belongs to: a resume refuses another run's data, model or
 * optimizer and says which settings changed; a fresh run never mixes its checkpoints with an
 * earlier run's (removed only with --overwrite, named); an unusable checkpoint folder is
 * refused before Spark starts.
 */
class CheckpointIdentityTest {
  private static final int N = 800;
  /** sgd on 4-4(relu)-2 in 100-row steps: 8 steps an epoch. */
  private static final List<String> COMMON = List.of("--hidden", "4", "--optimizer", "sgd",
      "--batch-rows", "100", "--seed", "3", "--master", "local[2]");

  @TempDir
  static Path data;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() throws IOException {
    spark = E2eFiles.startSession("CheckpointIdentityTest");
    Random random = new Random(24);
    double[][] x = new double[N][4];
    int[] labels = new int[N];
    double[] targets = new double[N];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < 4; c++) {
        x[r][c] = 2 * random.nextDouble() - 1;
      }
      labels[r] = x[r][0] * x[r][1] > 0 ? 1 : 0;
      targets[r] = x[r][0] * x[r][1];
    }
    npy(data.resolve("X.npy"), x);
    E2eFiles.npyInts(data.resolve("L.npy"), labels);
    npy(data.resolve("T.npy"), targets);
    Files.copy(data.resolve("X.npy"), data.resolve("X-copy.npy"));
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun train(String x, String labels, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x", x,
        "--labels", labels, "--out", out.toString()));
    args.addAll(COMMON);
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  private static CliRun train(Path out, String... extra) {
    return train(data.resolve("X.npy").toString(), data.resolve("L.npy").toString(), out, extra);
  }

  private static CliRun ok(CliRun run) {
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    return run;
  }

  /** Exit 2, one error line, no Spark job. */
  private static String refusedBeforeSpark(Path out, String... extra) {
    CliRun run;
    try (JobCounter counter = new JobCounter(spark)) {
      run = train(out, extra);
      assertThat(counter.jobs()).as("Spark jobs before the refusal; stderr:%n%s", run.err())
          .isZero();
    }
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ");
    return run.err();
  }

  private static List<String> names(Path folder) throws IOException {
    try (var s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertSameModel(Path want, Path got) throws IOException {
    for (String file : List.of("W0.npy", "b0.npy", "W1.npy", "b1.npy")) {
      assertThat(Arrays.equals(Files.readAllBytes(want.resolve(file)),
          Files.readAllBytes(got.resolve(file)))).as(file + " bit for bit").isTrue();
    }
  }

  /**
   * The report of issue 24: run A into M, retrain B (another --lr) into M --overwrite, stop it
   * early and resume from M.checkpoints. B's start clears A's checkpoints (and nothing else), so
   * the resume continues B and ends where B run straight ends.
   */
  @Test
  void aRetrainWithOverwriteClearsTheEarlierRunsCheckpointsSoAResumeContinuesIt(
      @TempDir Path dir) throws IOException {
    Path m = dir.resolve("M");
    Path checkpoints = dir.resolve("M.checkpoints");
    ok(train(m, "--lr", "0.1", "--epochs", "4", "--checkpoint-every", "3"));
    assertThat(names(checkpoints)).containsExactly("iter-00000027", "iter-00000030");
    Files.writeString(checkpoints.resolve("notes.txt"), "not a checkpoint");

    CliRun b = ok(train(m, "--lr", "0.05", "--epochs", "2", "--checkpoint-every", "3",
        "--overwrite"));
    assertThat(b.out()).contains("removed the checkpoints of an earlier run from " + checkpoints
        + " (--overwrite): iter-00000027, iter-00000030");
    assertThat(names(checkpoints)).containsExactly("iter-00000012", "iter-00000015",
        "notes.txt");

    Path straight = dir.resolve("straight");
    ok(train(straight, "--lr", "0.05", "--epochs", "4"));
    Path resumed = dir.resolve("resumed");
    CliRun r = ok(train(resumed, "--lr", "0.05", "--epochs", "4", "--resume",
        checkpoints.toString()));
    assertThat(r.out()).contains("resume: settings changed since the checkpoint: --epochs 2 -> "
        + "4\n");
    assertSameModel(straight, resumed);
  }

  /** A fresh run refuses a folder that holds another run's checkpoints, and leaves them. */
  @Test
  void aFreshRunRefusesACheckpointFolderHoldingCheckpoints(@TempDir Path dir)
      throws IOException {
    Path checkpoints = dir.resolve("ckpt");
    ok(train(dir.resolve("a"), "--epochs", "1", "--checkpoint-every", "3", "--checkpoint-dir",
        checkpoints.toString()));
    String err = refusedBeforeSpark(dir.resolve("b"), "--epochs", "1", "--checkpoint-every",
        "3", "--checkpoint-dir", checkpoints.toString());
    assertThat(err).isEqualTo("error: the checkpoint folder " + checkpoints + " already holds "
        + "checkpoints of another run (iter-00000003, iter-00000006): pass --overwrite to "
        + "remove them, --resume " + checkpoints + " to continue that run, or choose another "
        + "--checkpoint-dir\n");
    assertThat(names(checkpoints)).containsExactly("iter-00000003", "iter-00000006");
    assertThat(dir.resolve("b")).doesNotExist();
  }

  /** Another run's data, model or k is refused, naming the difference. */
  @Test
  void aResumeRefusesAnotherRunsDataAndModel(@TempDir Path dir) throws IOException {
    Path checkpoints = dir.resolve("ckpt");
    ok(train(dir.resolve("a"), "--epochs", "1", "--checkpoint-every", "3", "--checkpoint-dir",
        checkpoints.toString()));
    Path out = dir.resolve("never");
    String resume = checkpoints.toString();
    assertThat(refusedBeforeSpark(out, "--resume", resume, "--outputs", "3"))
        .contains("--resume " + resume + ": the checkpoint's model has k = 2 outputs, not "
            + "--outputs 3");
    assertThat(refusedBeforeSpark(out, "--resume", resume, "--dtype", "float32"))
        .contains("the checkpoint belongs to another run: dtype float64, here float32");
    CliRun copy = train(data.resolve("X-copy.npy").toString(),
        data.resolve("L.npy").toString(), out, "--resume", resume);
    assertThat(copy.exitCode()).as(copy.err()).isEqualTo(2);
    assertThat(copy.err()).contains("the checkpoint belongs to another run: X "
        + data.resolve("X.npy") + ", here " + data.resolve("X-copy.npy") + " (a run resumes "
        + "only on the data, network, loss and optimizer it was written with)");
    assertThat(out).doesNotExist();

    // the same file names with fewer rows: known once the data is read
    Path x = Files.copy(data.resolve("X.npy"), dir.resolve("X.npy"));
    Path labels = Files.copy(data.resolve("L.npy"), dir.resolve("L.npy"));
    Path mine = dir.resolve("ckpt-mine");
    ok(train(x.toString(), labels.toString(), dir.resolve("b"), "--epochs", "1",
        "--checkpoint-every", "3", "--checkpoint-dir", mine.toString()));
    npy(x, Arrays.copyOf(E2eFiles.readMatrix(data.resolve("X.npy")), 400));
    E2eFiles.npyInts(labels, new int[400]);
    CliRun fewer = train(x.toString(), labels.toString(), out, "--resume", mine.toString());
    assertThat(fewer.exitCode()).as(fewer.err()).isEqualTo(2);
    assertThat(fewer.err()).contains("the checkpoint belongs to another run: rows 800, here "
        + "400");
    assertThat(out).doesNotExist();
  }

  /** A changed learning rate is allowed, and said in one line; an old checkpoint is noted. */
  @Test
  void aResumeSaysWhichSettingsChangedAndNotesAnOldCheckpoint(@TempDir Path dir)
      throws IOException {
    Path checkpoints = dir.resolve("ckpt");
    ok(train(dir.resolve("a"), "--epochs", "1", "--checkpoint-every", "3", "--checkpoint-dir",
        checkpoints.toString()));
    CliRun run = ok(train(dir.resolve("b"), "--epochs", "1", "--lr", "0.05", "--resume",
        checkpoints.toString()));
    assertThat(run.out()).contains("resume: settings changed since the checkpoint: --lr 0.1 -> "
        + "0.05\n");

    Path state = checkpoints.resolve("iter-00000006").resolve("state.json");
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode json = (ObjectNode) mapper.readTree(state.toFile());
    json.remove("run");
    mapper.writeValue(state.toFile(), json);
    CliRun old = ok(train(dir.resolve("c"), "--epochs", "1", "--resume",
        checkpoints.toString()));
    assertThat(old.out()).contains("resume: " + checkpoints.resolve("iter-00000006")
        + " was written before checkpoints recorded their run: its data and settings cannot "
        + "be checked");
  }

  /** A checkpoint folder that cannot be written is refused before Spark starts. */
  @Test
  void anUnwritableCheckpointFolderIsRefusedBeforeSparkStarts(@TempDir Path dir)
      throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
    assertThat(refusedBeforeSpark(dir.resolve("o1"), "--epochs", "1", "--checkpoint-every", "3",
        "--checkpoint-dir", file.toString()))
        .contains("--checkpoint-dir " + file + ": " + file + " is a file, expected a folder");
    assertThat(refusedBeforeSpark(dir.resolve("o2"), "--epochs", "1", "--checkpoint-every", "3",
        "--checkpoint-dir", file.resolve("sub").toString()))
        .contains("--checkpoint-dir " + file.resolve("sub") + ": " + file + " is a file, not a "
            + "folder, so no checkpoint folder can be created under it");
    assertThat(file).hasContent("not a folder");

    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    assumeTrue(!Files.isWritable(readOnly), "running as root: permissions do not stop root, "
        + "so a read-only folder cannot be tested here");
    assertThat(refusedBeforeSpark(dir.resolve("o3"), "--epochs", "1", "--checkpoint-every", "3",
        "--checkpoint-dir", readOnly.resolve("ckpt").toString()))
        .contains("cannot create folders in " + readOnly);
  }
}
