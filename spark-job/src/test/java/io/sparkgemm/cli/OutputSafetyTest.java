package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.namesStartingWith;
import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.NaiveOracle.F64;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output folders are written all or nothing and never replaced without --overwrite. */
class OutputSafetyTest {
  private static final int N = 21;
  private static final int D = 4;
  private static final int K = 3;

  @TempDir
  static Path inputs;

  private static SparkSession spark;
  private static double[][] x;
  private static double[][] w;
  private static double[] b;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("OutputSafetyTest");
    Random random = new Random(9L);
    x = NaiveOracle.gaussian(random, N, D);
    w = NaiveOracle.gaussian(random, D, K);
    b = NaiveOracle.gaussian(random, K);
    npy(inputs.resolve("X.npy"), x);
    npy(inputs.resolve("W.npy"), w);
    npy(inputs.resolve("b.npy"), b);
    // W with d + 1 rows: readable, but its shape only fails once X's d is known
    npy(inputs.resolve("W-tall.npy"), NaiveOracle.gaussian(random, D + 1, K));
    int[] labels = NaiveOracle.classes(random, N, K);
    labels[N - 2] = K;
    E2eFiles.npyInts(inputs.resolve("bad-labels.npy"), labels);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun run(String command, Path out, String w, String... extra) {
    List<String> args = new ArrayList<>(List.of(command,
        "--x", inputs.resolve("X.npy").toString(), "--w", inputs.resolve(w).toString(),
        "--b", inputs.resolve("b.npy").toString(), "--out", out.toString(),
        "--master", "local[2]", "--block-rows", "4"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  private static Path existingOutput(Path dir) throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "earlier results");
    return out;
  }

  private static void assertUntouched(Path out) throws IOException {
    try (var entries = Files.list(out)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
    }
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("earlier results");
  }

  /** Nothing of a staging ('.out.tmp-…') or replaced ('.out.old-…') folder is left over. */
  private static void assertNoHiddenSiblings(Path out) {
    assertThat(namesStartingWith(out.getParent(), "." + out.getFileName()))
        .as("hidden siblings of " + out).isEmpty();
  }

  @Test
  void anExistingOutputIsRefusedWithoutOverwrite(@TempDir Path dir) throws IOException {
    Path out = existingOutput(dir);
    CliRun run = run("forward", out, "W.npy");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("already exists").contains("--overwrite");
    assertUntouched(out);
    assertNoHiddenSiblings(out);
  }

  @Test
  void anExistingOutputIsReplacedWithOverwrite(@TempDir Path dir) throws IOException {
    Path out = existingOutput(dir);
    CliRun run = run("forward", out, "W.npy", "--overwrite");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(out.resolve("keep.txt")).doesNotExist();
    assertThat(out.resolve("report.json")).isRegularFile();
    assertClose("Y", readMatrix(out.resolve("Y.npy")), NaiveOracle.forward(x, w, b), F64);
    assertNoHiddenSiblings(out);
  }

  @Test
  void aLabelOutOfRangeFailsTheJobAndLeavesNoOutput(@TempDir Path dir) {
    Path out = dir.resolve("out");
    CliRun run = run("backward", out, "W.npy", "--loss", "softmax-ce", "--labels",
        inputs.resolve("bad-labels.npy").toString(), "--input-grad");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Class label 3 at row id " + (N - 2) + " is out of range")
        .contains("labels must be in 0..2").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
    assertNoHiddenSiblings(out);
  }

  @Test
  void aFailedJobKeepsTheEarlierOutputEvenWithOverwrite(@TempDir Path dir) throws IOException {
    Path out = existingOutput(dir);
    CliRun run = run("backward", out, "W.npy", "--loss", "softmax-ce", "--labels",
        inputs.resolve("bad-labels.npy").toString(), "--overwrite");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("out of range");
    assertUntouched(out);
    assertNoHiddenSiblings(out);
  }

  @Test
  void weightsWithTheWrongInputSizeFailAndLeaveNoOutput(@TempDir Path dir) {
    Path out = dir.resolve("out");
    CliRun run = run("backward", out, "W-tall.npy", "--loss", "sum", "--input-grad");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("W is 5x3 but X has 4 features")
        .contains("W must be d x k with d = 4").doesNotContain("Exception");
    assertThat(out).doesNotExist();
    assertNoHiddenSiblings(out);
  }

  @Test
  void theParentFolderIsCreatedAndHoldsNothingElse(@TempDir Path dir) {
    Path out = dir.resolve("runs").resolve("today").resolve("out");
    CliRun run = run("backward", out, "W.npy", "--loss", "sum");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(out.resolve("dW.npy")).isRegularFile();
    assertThat(namesStartingWith(out.getParent(), "")).containsExactly("out");
  }

  @Test
  void aWriteThatFailsMidwayLeavesNoOutput(@TempDir Path dir) {
    Path out = dir.resolve("out");
    CliRun run = withProperty("spark.gemm.test.failWriteAt", "2",
        () -> run("backward", out, "W.npy", "--loss", "sum", "--input-grad"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("Injected write failure at output 2 (db.npy")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();
    assertNoHiddenSiblings(out);
  }

  @Test
  void aWriteThatFailsMidwayKeepsTheEarlierOutputWithOverwrite(@TempDir Path dir)
      throws IOException {
    Path out = existingOutput(dir);
    CliRun run = withProperty("spark.gemm.test.failWriteAt", "3",
        () -> run("backward", out, "W.npy", "--loss", "sum", "--input-grad", "--overwrite"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("Injected write failure at output 3 (dX.npy");
    assertUntouched(out);
    assertNoHiddenSiblings(out);
  }

  /**
   * A driver killed (SIGKILL) in the middle of writing: the output path does not exist; the
   * half-written staging folder is left hidden beside it.
   */
  @Test
  void aDriverKilledWhileWritingLeavesNoOutput(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(Files.readString(Path.of("target", "launcher", "jvm-flags.txt"))
        .trim().split("\\s+")));
    command.addAll(List.of("-Dspark.gemm.test.pauseWriteAt=3", "-cp",
        System.getProperty("java.class.path"), SparkGemmCli.class.getName(), "backward",
        "--x", inputs.resolve("X.npy").toString(), "--w", inputs.resolve("W.npy").toString(),
        "--loss", "sum", "--input-grad", "--out", out.toString(), "--master", "local[2]"));
    Process driver = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
        driver.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = lines.readLine()) != null
          && !line.contains("spark-gemm test hook: paused before writing dX.npy")) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("the driver reached the write; it printed:%n%s", seen).isNotNull();
      List<String> staging = namesStartingWith(dir, ".out.tmp-");
      assertThat(staging).hasSize(1);
      assertThat(dir.resolve(staging.get(0)).resolve("dW.npy")).as("half written")
          .isRegularFile();
      driver.destroyForcibly();
      assertThat(driver.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      driver.destroyForcibly();
    }
    assertThat(out).doesNotExist();
  }

  private static CliRun withProperty(String key, String value,
      java.util.function.Supplier<CliRun> body) {
    System.setProperty(key, value);
    try {
      return body.get();
    } finally {
      System.clearProperty(key);
    }
  }
}
