package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.namesStartingWith;
import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk while outputs are written: one {@code error:} line naming the output and "no space
 * left on device", exit code 1, the previous output intact, no staging folder left (issue 24,
 * item 5). Driver-written files are sent to /dev/full by a test hook (a real device failing
 * every write with ENOSPC); a real full file system is a small tmpfs, where mounting is allowed.
 */
class FullDiskTest {
  private static final int N = 21;

  @TempDir
  static Path inputs;

  private static SparkSession spark;

  /** The tmpfs this test mounted, to unmount after it. */
  private Path mounted;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("FullDiskTest");
    Random random = new Random(5L);
    double[][] x = NaiveOracle.gaussian(random, N, 4);
    npy(inputs.resolve("X.npy"), x);
    npy(inputs.resolve("W.npy"), NaiveOracle.gaussian(random, 4, 3));
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create((long) r, x[r]));
    }
    spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false))
        .repartition(2).write().parquet(inputs.resolve("X.parquet").toString());
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      // lazy: a file a failed writer left open must not keep the disk (and the test) busy
      run("umount", "-l", mounted.toString());
    }
  }

  private static CliRun forward(String x, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("forward", "--x", inputs.resolve(x).toString(),
        "--w", inputs.resolve("W.npy").toString(), "--out", out.toString(), "--master",
        "local[2]"));
    if (x.endsWith(".parquet")) {
      args.addAll(List.of("--id-col", "id"));
    }
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  /** The output {@code out} as bytes per file, to compare before and after. */
  private static List<String> snapshot(Path out) throws IOException {
    List<String> files = new ArrayList<>();
    try (var walk = Files.walk(out)) {
      for (Path p : walk.sorted().toList()) {
        files.add(out.relativize(p) + (Files.isRegularFile(p)
            ? " " + Arrays.hashCode(Files.readAllBytes(p)) : ""));
      }
    }
    return files;
  }

  private static void assertOneNoSpaceLine(CliRun run, Path file) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: cannot write " + file + ": no space left on device"
        + System.lineSeparator());
  }

  @Test
  void aFullDiskWhileWritingTheReportIsOneErrorLine(@TempDir Path dir) throws IOException {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "no /dev/full on this machine");
    Path out = dir.resolve("out");
    assertThat(forward("X.npy", out).exitCode()).isZero();
    List<String> before = snapshot(out);

    // outputs: Y.npy (1), report.json (2)
    CliRun run = withProperty("spark.gemm.test.fullDiskAt", "2",
        () -> forward("X.npy", out, "--overwrite"));

    assertOneNoSpaceLine(run, out.resolve("report.json"));
    assertThat(snapshot(out)).as("the previous output").isEqualTo(before);
    assertThat(namesStartingWith(dir, "")).containsExactly("out");
  }

  @Test
  void aFullDiskWhileWritingAnNpyIsOneErrorLine(@TempDir Path dir) {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "no /dev/full on this machine");
    Path out = dir.resolve("runs").resolve("out");
    // outputs: dW.npy (1), db.npy (2), report.json (3)
    CliRun run = withProperty("spark.gemm.test.fullDiskAt", "1",
        () -> CliRun.of("backward", "--x", inputs.resolve("X.npy").toString(), "--w",
            inputs.resolve("W.npy").toString(), "--loss", "sum", "--out", out.toString(),
            "--master", "local[2]"));

    assertOneNoSpaceLine(run, out.resolve("dW.npy"));
    assertThat(namesStartingWith(dir, "")).isEmpty();
  }

  @Test
  void aRealFullDiskWhileTheDriverWritesKeepsThePreviousOutput(@TempDir Path dir)
      throws Exception {
    Path disk = mountTinyDisk(dir);
    Path out = disk.resolve("out");
    assertThat(forward("X.npy", out).exitCode()).isZero();
    List<String> before = snapshot(out);
    fill(disk);

    CliRun run = forward("X.npy", out, "--overwrite");

    assertOneNoSpaceLine(run, out.resolve("Y.npy"));
    assertThat(snapshot(out)).isEqualTo(before);
    assertThat(namesStartingWith(disk, "")).containsExactlyInAnyOrder("out", "filler");
  }

  @Test
  void aRealFullDiskWhileExecutorsWriteParquetKeepsThePreviousOutput(@TempDir Path dir)
      throws Exception {
    Path disk = mountTinyDisk(dir);
    Path out = disk.resolve("out");
    assertThat(forward("X.parquet", out).exitCode()).isZero();
    List<String> before = snapshot(out);
    fill(disk);

    CliRun run = forward("X.parquet", out, "--overwrite");

    assertOneNoSpaceLine(run, out.resolve("Y"));
    assertThat(snapshot(out)).isEqualTo(before);
    assertThat(namesStartingWith(disk, "")).containsExactlyInAnyOrder("out", "filler");
  }

  /** Through scripts/spark-gemm: what a terminal shows is the one line, the trace is in the log. */
  @Test
  void theLauncherShowsOneLineForAFullDisk(@TempDir Path dir) throws Exception {
    Path disk = mountTinyDisk(dir);
    Path out = disk.resolve("out");
    String x = inputs.resolve("X.parquet").toString();
    String w = inputs.resolve("W.npy").toString();
    assertThat(ConsoleNoiseTest.launch(Files.createDirectory(dir.resolve("first")), "forward",
        "--x", x, "--id-col", "id", "--w", w, "--out", out.toString()).code()).isZero();
    fill(disk);

    ConsoleNoiseTest.Launch run = ConsoleNoiseTest.launch(
        Files.createDirectory(dir.resolve("second")), "forward", "--x", x, "--id-col", "id",
        "--w", w, "--out", out.toString(), "--overwrite");

    String all = "exit " + run.code() + "; stderr:\n" + run.err();
    assertThat(run.code()).as(all).isEqualTo(1);
    // What a terminal shows: a line is what follows its last carriage return.
    List<String> shown = run.err().lines().map(l -> l.substring(l.lastIndexOf('\r') + 1))
        .filter(l -> !l.isBlank()).toList();
    assertThat(shown.stream().filter(l -> l.contains("error:"))).as(all).containsExactly(
        "error: cannot write " + out.resolve("Y") + ": no space left on device");
    assertThat(shown).as(all).noneMatch(l -> l.contains("Exception") || l.contains("\tat ")
        || l.contains(" ERROR ") || l.contains("No space"));
    assertThat(Files.readString(run.logs().get(0))).as("the log keeps Spark's trace")
        .contains("No space left on device");
    assertThat(namesStartingWith(disk, "")).containsExactlyInAnyOrder("out", "filler");
  }

  /**
   * A 1 MB tmpfs mounted at a new folder of {@code dir}; the test is skipped where mounting is
   * not allowed (it needs root, or CAP_SYS_ADMIN in a container).
   */
  private Path mountTinyDisk(Path dir) throws Exception {
    Path disk = Files.createDirectory(dir.resolve("disk"));
    String said;
    try {
      said = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString());
    } catch (IOException e) {
      said = e.getMessage();
    }
    assumeTrue(said == null, "cannot mount a tmpfs here (needs root): " + said);
    mounted = disk;
    return disk;
  }

  /** Writes {@code disk/filler} until the file system is full. */
  private static void fill(Path disk) {
    byte[] chunk = new byte[4096];
    try (OutputStream s = Files.newOutputStream(disk.resolve("filler"))) {
      for (int i = 0; i < 1 << 20; i++) {
        s.write(chunk);
      }
      throw new AssertionError("the disk did not fill up");
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("No space left on device");
    }
  }

  /** Runs a command; returns null when it succeeded, else what it printed. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    return ok ? null : String.join(" ", command) + ": " + printed.strip();
  }

  private static CliRun withProperty(String key, String value, Supplier<CliRun> body) {
    System.setProperty(key, value);
    try {
      return body.get();
    } finally {
      System.clearProperty(key);
    }
  }
}
