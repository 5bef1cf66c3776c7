package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.namesStartingWith;
import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.NaiveOracle.F64;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.train.CheckpointFolder;
import io.sparkgemm.spark.train.Checkpoints;
import io.sparkgemm.spark.train.IterationRecord;
import io.sparkgemm.spark.train.Optimizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
    npy(inputs.resolve("T.npy"), NaiveOracle.gaussian(random, N, K));
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

  /** A previous output: it carries spark-gemm's marker, so --overwrite may replace it. */
  private static Path existingOutput(Path dir) throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "earlier results");
    Files.writeString(out.resolve("_SPARK_GEMM"), "spark-gemm output");
    return out;
  }

  private static void assertUntouched(Path out) throws IOException {
    try (var entries = Files.list(out)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("keep.txt", "_SPARK_GEMM");
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
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        driver.getInputStream(), StandardCharsets.UTF_8))) {
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
      assertThat(driver.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      driver.destroyForcibly();
    }
    assertThat(out).doesNotExist();
  }

  // --- --out against the inputs, the working directory and the checkpoints (issue 13, 3-4) ---

  /** X, W and b copied into {@code dir/in}, with an unrelated file beside them. */
  private static Path ownInputs(Path dir) throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    for (String name : List.of("X.npy", "W.npy", "b.npy", "T.npy")) {
      Files.copy(inputs.resolve(name), in.resolve(name));
    }
    Files.writeString(in.resolve("unrelated.txt"), "not an input");
    return in;
  }

  private static void assertInputsIntact(Path in) throws IOException {
    for (String name : List.of("X.npy", "W.npy", "b.npy", "T.npy")) {
      assertThat(Files.readAllBytes(in.resolve(name))).as(name)
          .isEqualTo(Files.readAllBytes(inputs.resolve(name)));
    }
    assertThat(Files.readString(in.resolve("unrelated.txt"))).isEqualTo("not an input");
  }

  /** Runs the CLI and checks it refused with exit 2, one error line, before any Spark job. */
  private static String refusedBeforeAnyJob(String... args) {
    CliRun run;
    try (JobCounter counter = new JobCounter(spark)) {
      run = CliRun.of(args);
      assertThat(counter.jobs()).as("Spark jobs run before the refusal; stderr:%n%s", run.err())
          .isZero();
    }
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ");
    assertThat(run.err().lines().count()).as(run.err()).isEqualTo(1);
    return run.err();
  }

  private static String[] forward(Path in, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("forward", "--x", in.resolve("X.npy").toString(),
        "--w", in.resolve("W.npy").toString(), "--b", in.resolve("b.npy").toString(), "--out",
        out.toString(), "--master", "local[2]", "--overwrite"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @Test
  void anOutputEqualToAnInputIsRefused(@TempDir Path dir) throws IOException {
    Path in = ownInputs(dir);
    assertThat(refusedBeforeAnyJob(forward(in, in.resolve("X.npy"))))
        .contains("--out " + in.resolve("X.npy") + " is the input --x");
    assertThat(refusedBeforeAnyJob(forward(in, in.resolve("W.npy"))))
        .contains("is the input --w");
    assertInputsIntact(in);
  }

  @Test
  void anOutputHoldingAnInputIsRefused(@TempDir Path dir) throws IOException {
    Path in = ownInputs(dir);
    assertThat(refusedBeforeAnyJob(forward(in, in))).contains("holds the input --x");
    assertThat(refusedBeforeAnyJob(forward(in, dir))).contains("holds the input --x");
    // the same folder reached through '..' and through a symbolic link
    assertThat(refusedBeforeAnyJob(forward(in, in.resolve("..").resolve("in"))))
        .contains("holds the input");
    Path link = Files.createSymbolicLink(dir.resolve("link"), in);
    assertThat(refusedBeforeAnyJob(forward(in, link))).contains("holds the input");
    assertInputsIntact(in);
    assertThat(link).isSymbolicLink();
  }

  @Test
  void anOutputInsideAnInputFolderIsRefused(@TempDir Path dir) throws IOException {
    Path in = ownInputs(dir);
    Path parquet = dir.resolve("X.parquet");
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create((long) r, x[r]));
    }
    spark.createDataFrame(rows, new StructType()
        .add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(
            DataTypes.DoubleType, false), false))
        .write().parquet(parquet.toString());
    List<String> before = namesStartingWith(parquet, "");
    String err = refusedBeforeAnyJob("forward", "--x", parquet.toString(), "--id-col", "id",
        "--w", in.resolve("W.npy").toString(), "--out", parquet.resolve("Y").toString(),
        "--master", "local[2]");
    assertThat(err).contains("lies inside the input --x " + parquet);
    assertThat(namesStartingWith(parquet, "")).isEqualTo(before);
    assertThat(refusedBeforeAnyJob("backward", "--x", in.resolve("X.npy").toString(), "--w",
        in.resolve("W.npy").toString(), "--loss", "mse", "--labels", in.resolve("T.npy")
            .toString(), "--out", in.resolve("T.npy").resolve("out").toString(), "--master",
        "local[2]")).contains("lies inside the input --labels");
    assertInputsIntact(in);
  }

  @Test
  void checkpointsInsideTheOutputOrAroundItAreRefused(@TempDir Path dir) throws IOException {
    Path in = ownInputs(dir);
    Path out = dir.resolve("out");
    List<String> train = List.of("train", "--x", in.resolve("X.npy").toString(), "--loss", "mse",
        "--labels", in.resolve("T.npy").toString(), "--init", "xavier", "--outputs",
        String.valueOf(K), "--optimizer", "gd", "--max-iter", "4", "--checkpoint-every", "1",
        "--master", "local[2]", "--overwrite");
    List<String> inside = new ArrayList<>(train);
    inside.addAll(List.of("--out", out.toString(), "--checkpoint-dir",
        out.resolve("ckpt").toString()));
    assertThat(refusedBeforeAnyJob(inside.toArray(new String[0])))
        .contains("--checkpoint-dir " + out.resolve("ckpt") + " and --out " + out + " overlap");
    List<String> around = new ArrayList<>(train);
    around.addAll(List.of("--out", out.resolve("model").toString(), "--checkpoint-dir",
        out.toString()));
    assertThat(refusedBeforeAnyJob(around.toArray(new String[0]))).contains("overlap");
    Path ckpt = dir.resolve("ckpt");
    List<IterationRecord> history = new ArrayList<>();
    for (int i = 0; i <= 2; i++) {
      history.add(new IterationRecord(i, 1.0 / (i + 1), 1.0 / (i + 1), 0.1, 0.1, 0.01, 1));
    }
    Checkpoints.write(CheckpointFolder.of(ckpt.toString(), new Configuration()), 2,
        Optimizer.GD, DenseBlock.ofRows(w), b, null, history);
    List<String> resume = new ArrayList<>(train.subList(0, 7));
    resume.addAll(List.of("--optimizer", "gd", "--resume", ckpt.toString(), "--out",
        ckpt.resolve("model").toString(), "--master", "local[2]"));
    assertThat(refusedBeforeAnyJob(resume.toArray(new String[0])))
        .contains("lies inside the input --resume " + ckpt);
    assertThat(out).doesNotExist();
    assertInputsIntact(in);
  }

  /**
   * --out the working directory or a parent of it, with --overwrite, in a driver of its own
   * started in a scratch folder (a refusal that failed would delete that folder, nothing else).
   */
  @Test
  void theWorkingDirectoryAndItsParentsAreRefused(@TempDir Path dir) throws Exception {
    Path in = ownInputs(dir);
    Path work = Files.createDirectories(dir.resolve("work").resolve("sub"));
    Files.writeString(work.resolve("keep.txt"), "earlier results");
    String x = in.resolve("X.npy").toString();
    String w = in.resolve("W.npy").toString();
    assertThat(driverIn(in, "X.npy", "W.npy", ".")).contains("error: --out . holds the input "
        + "--x X.npy");
    assertThat(driverIn(work, x, w, ".")).contains("error: --out . is the working directory");
    assertThat(driverIn(work, x, w, "..")).contains("error: --out .. is a parent of the working "
        + "directory");
    assertInputsIntact(in);
    assertThat(Files.readString(work.resolve("keep.txt"))).isEqualTo("earlier results");
  }

  /**
   * forward --out OUT --overwrite in a driver of its own started in {@code cwd}: a refusal that
   * failed would delete that scratch folder, nothing else. Returns what the driver printed.
   */
  private static String driverIn(Path cwd, String x, String w, String out) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(Files.readString(Path.of("target", "launcher", "jvm-flags.txt"))
        .trim().split("\\s+")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        SparkGemmCli.class.getName(), "forward", "--x", x, "--w", w, "--out", out,
        "--overwrite", "--master", "local[1]"));
    Process driver = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectErrorStream(true).start();
    String printed = new String(driver.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(driver.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(driver.exitValue()).as("--out %s in %s: %s", out, cwd, printed).isEqualTo(2);
    return printed;
  }

  // --- output paths that cannot be written, found before the first job (issue 13, 15) ---

  @Test
  void anOutputThatCannotBeWrittenIsRefusedBeforeAnyJob(@TempDir Path dir) throws IOException {
    Path in = ownInputs(dir);
    Path file = Files.writeString(dir.resolve("file.txt"), "a file");
    assertThat(refusedBeforeAnyJob(forward(in, file.resolve("sub").resolve("out"))))
        .contains(file + " is a file, not a folder");
    Path link = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("missing"));
    assertThat(refusedBeforeAnyJob(forward(in, link)))
        .contains("is a symbolic link to " + dir.resolve("missing") + ", which does not exist");
    assertThat(refusedBeforeAnyJob(forward(in, dir.resolve("a:b").resolve("out"))))
        .contains("a ':' in a file or folder name is not supported");
    assertThat(refusedBeforeAnyJob(forward(in, dir.resolve("out:1")))).contains("':'");
    if (Files.isDirectory(Path.of("/proc/self"))) {
      // procfs: no folder can be created there, not even by root
      assertThat(refusedBeforeAnyJob(forward(in, Path.of("/proc/self/spark-gemm-out/out"))))
          .contains("cannot create folders in /proc/");
    }
    assertThat(namesStartingWith(dir, "")).containsExactlyInAnyOrder("in", "file.txt",
        "dangling");
    assertThat(link).isSymbolicLink();
  }

  @Test
  void aFailedRunRemovesTheParentFoldersItCreated(@TempDir Path dir) {
    Path out = dir.resolve("runs").resolve("today").resolve("out");
    CliRun run = run("backward", out, "W.npy", "--loss", "softmax-ce", "--labels",
        inputs.resolve("bad-labels.npy").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("out of range");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  private static CliRun withProperty(String key, String value,
      Supplier<CliRun> body) {
    System.setProperty(key, value);
    try {
      return body.get();
    } finally {
      System.clearProperty(key);
    }
  }
}
