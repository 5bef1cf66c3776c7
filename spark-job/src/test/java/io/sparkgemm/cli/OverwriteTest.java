package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.namesStartingWith;
import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.spark.output.OutputDir;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --overwrite replaces only a previous spark-gemm output (a folder with the _SPARK_GEMM marker)
 * or an empty folder: never a file, never a folder of the user's own (issue 24, item 2).
 */
class OverwriteTest {
  private static final String ONLY_OUTPUTS = ": --overwrite replaces only a previous "
      + "spark-gemm output; choose another ";
  private static final Map<String, String> USER_FILES = Map.of("notes.txt", "my notes",
      "data.csv", "1,2,3\n", "sub/thesis.tex", "chapter 1");

  @TempDir
  static Path inputs;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("OverwriteTest");
    Random random = new Random(24L);
    npy(inputs.resolve("X.npy"), NaiveOracle.gaussian(random, 9, 3));
    npy(inputs.resolve("W.npy"), NaiveOracle.gaussian(random, 3, 2));
    npy(inputs.resolve("T.npy"), NaiveOracle.gaussian(random, 9, 2));
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static String[] forward(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("forward", "--x", in("X.npy"), "--w",
        in("W.npy"), "--out", out.toString(), "--master", "local[2]"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  private static String[] generate(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("generate", "--rows", "6", "--features", "2",
        "--outputs", "1", "--out", out.toString(), "--master", "local[2]"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  private static String in(String name) {
    return inputs.resolve(name).toString();
  }

  /** A folder of the user's own: two files and a folder, no marker. */
  private static Path userFolder(Path dir) throws IOException {
    Path user = dir.resolve("userdir");
    for (Map.Entry<String, String> file : USER_FILES.entrySet()) {
      Files.createDirectories(user.resolve(file.getKey()).getParent());
      Files.writeString(user.resolve(file.getKey()), file.getValue());
    }
    return user;
  }

  private static void assertUserFolderUntouched(Path user) throws IOException {
    assertThat(namesStartingWith(user, "")).containsExactlyInAnyOrder("notes.txt", "data.csv",
        "sub");
    for (Map.Entry<String, String> file : USER_FILES.entrySet()) {
      assertThat(Files.readString(user.resolve(file.getKey()))).isEqualTo(file.getValue());
    }
    assertThat(namesStartingWith(user.getParent(), "." + user.getFileName())).isEmpty();
  }

  /** Runs the CLI; checks it refused with exit 2, one error line, before any Spark job. */
  private static String refusedBeforeAnyJob(String... args) {
    CliRun run;
    try (JobCounter counter = new JobCounter(spark)) {
      run = CliRun.of(args);
      assertThat(counter.jobs()).as("Spark jobs before the refusal; stderr:%n%s", run.err())
          .isZero();
    }
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).singleElement();
    return run.err().strip();
  }

  @Test
  void forwardRefusesToReplaceAFolderOfTheUsersOwn(@TempDir Path dir) throws IOException {
    Path user = userFolder(dir);
    String expected = "error: --out " + user + " exists and is not a spark-gemm output (no "
        + "_SPARK_GEMM marker; it holds 3 entries)" + ONLY_OUTPUTS + "folder or remove it "
        + "yourself";

    assertThat(refusedBeforeAnyJob(forward(user, "--overwrite"))).isEqualTo(expected);
    assertThat(refusedBeforeAnyJob(forward(user))).isEqualTo(expected);
    assertUserFolderUntouched(user);
  }

  @Test
  void aFileIsNeverReplaced(@TempDir Path dir) throws IOException {
    Path notes = Files.writeString(dir.resolve("notes.txt"), "my notes");
    String expected = "error: --out " + notes + " exists and is a file, not a spark-gemm output "
        + "folder" + ONLY_OUTPUTS + "path or remove it yourself";

    assertThat(refusedBeforeAnyJob(forward(notes, "--overwrite"))).isEqualTo(expected);
    assertThat(refusedBeforeAnyJob(generate(notes, "--overwrite"))).isEqualTo(expected);
    assertThat(Files.readString(notes)).isEqualTo("my notes");
    assertThat(namesStartingWith(dir, "")).containsExactly("notes.txt");
  }

  @Test
  void aPreviousOutputIsReplacedWithOverwriteOnly(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("out");
    CliRun first = CliRun.of(forward(out));
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(Files.readString(out.resolve("_SPARK_GEMM"))).startsWith("spark-gemm output");
    Files.writeString(out.resolve("stale.txt"), "from the first run");

    assertThat(refusedBeforeAnyJob(forward(out))).isEqualTo("error: --out " + out
        + " already exists; pass --overwrite to replace it");
    CliRun again = CliRun.of(forward(out, "--overwrite"));
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(namesStartingWith(out, "")).as("all but Hadoop's .crc files")
        .filteredOn(name -> !name.endsWith(".crc"))
        .containsExactlyInAnyOrder("Y.npy", "report.json", "_SPARK_GEMM");
    assertThat(namesStartingWith(dir, "")).containsExactly("out");
  }

  @Test
  void anEmptyFolderIsReplacedWithOverwrite(@TempDir Path dir) throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    CliRun run = CliRun.of(forward(empty, "--overwrite"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(empty.resolve("report.json")).isRegularFile();
  }

  @Test
  void anOutputOfAnEarlierVersionIsRefusedWithAHint(@TempDir Path dir) throws IOException {
    Path earlier = Files.createDirectory(dir.resolve("earlier"));
    Files.writeString(earlier.resolve("report.json"), "{\"command\": \"forward\"}");
    Files.writeString(earlier.resolve("Y.npy"), "not really");

    assertThat(refusedBeforeAnyJob(forward(earlier, "--overwrite"))).contains("(no _SPARK_GEMM "
        + "marker; it holds 2 entries, report.json among them: outputs of spark-gemm before the "
        + "marker existed are not replaced either)");
    assertThat(namesStartingWith(earlier, "")).containsExactlyInAnyOrder("report.json",
        "Y.npy");
  }

  @Test
  void generateReplacesItsOwnOutputButNoFolderOfTheUsers(@TempDir Path dir) throws IOException {
    Path user = userFolder(dir);
    assertThat(refusedBeforeAnyJob(generate(user, "--overwrite")))
        .contains("error: --out " + user + " exists and is not a spark-gemm output");
    assertUserFolderUntouched(user);

    Path out = dir.resolve("data");
    assertThat(CliRun.of(generate(out)).exitCode()).isZero();
    Files.writeString(out.resolve("stale.txt"), "from the first run");
    CliRun again = CliRun.of(generate(out, "--overwrite", "--seed", "5"));
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(out.resolve("stale.txt")).doesNotExist();
    assertThat(out.resolve("_SPARK_GEMM")).isRegularFile();
  }

  @Test
  void trainRefusesToReplaceAFolderOfTheUsersOwn(@TempDir Path dir) throws IOException {
    Path user = userFolder(dir);
    assertThat(refusedBeforeAnyJob("train", "--x", in("X.npy"), "--loss", "mse", "--labels",
        in("T.npy"), "--init", "xavier", "--outputs", "2", "--optimizer", "gd", "--max-iter",
        "2", "--out", user.toString(), "--master", "local[2]", "--overwrite"))
        .contains("error: --out " + user + " exists and is not a spark-gemm output");
    assertUserFolderUntouched(user);
  }

  /** The check again at commit: a user's folder put at the output's place while the job ran. */
  @Test
  void aFolderThatAppearsWhileTheJobRunsIsNotReplaced(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("userdir");
    try (OutputDir out = OutputDir.create(target.toString(), true, new Configuration())) {
      try (OutputStream stream = out.create("report.json")) {
        stream.write('{');
      }
      userFolder(dir);
      assertThatThrownBy(out::commit).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outputDir " + target + " changed while the job ran and now is "
              + "not a spark-gemm output (no _SPARK_GEMM marker; it holds 3 entries)");
    }
    assertUserFolderUntouched(target);
  }
}
