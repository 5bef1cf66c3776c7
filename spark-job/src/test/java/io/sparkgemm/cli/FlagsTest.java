package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.local.ParamText.param;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.spark.input.InputSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Library refusals name parameters and keep the names apart from their other words; the
 * command line shows each parameter as the flag that sets it, found in picocli's model of the
 * command that ran, and leaves the user's own words (paths, column names) as they are.
 */
class FlagsTest {
  private static final int N = 6;
  private static final int D = 3;

  @TempDir
  static Path inputs;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() throws IOException {
    spark = E2eFiles.startSession("FlagsTest");
    Random random = new Random(23L);
    npy(inputs.resolve("X.npy"), NaiveOracle.gaussian(random, N, D));
    npy(inputs.resolve("W.npy"), NaiveOracle.gaussian(random, D, 2));
    // column names that are also parameter names
    Files.writeString(inputs.resolve("named.csv"), "id,tol,partitions\n1,0.5,2.5\n2,1.5,3.5\n");
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun backward(Path dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("backward", "--w",
        inputs.resolve("W.npy").toString(), "--out",
        dir.resolve("out").toString(), "--master", "local[2]"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  private static void assertOneErrorLine(CliRun run, String expected) {
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("error: " + expected + System.lineSeparator());
  }

  @Test
  void aParameterRefusedByTheLibraryReadsAsItsFlag(@TempDir Path dir) {
    assertThatThrownBy(() -> InputSpec.builder("X.npy").blockRows(-1).build())
        .isInstanceOfSatisfying(BadParameterException.class, e -> {
          assertThat(e.parameter()).isEqualTo("blockRows");
          assertThat(e.getMessage())
              .isEqualTo("blockRows must be >= 1 (or 0 for automatic), got -1");
        });
    assertOneErrorLine(backward(dir, "--x", inputs.resolve("X.npy").toString(), "--loss", "sum",
        "--block-rows", "-1"), "--block-rows must be >= 1 (or 0 for automatic), got -1");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void flagsComeFromTheOptionsOfTheCommandThatRan() {
    CommandSpec train = new CommandLine(new TrainCommand()).getCommandSpec();
    CommandSpec generate = new CommandLine(new GenerateCommand()).getCommandSpec();
    Function<String, String> trainFlags = Flags.of(train);
    assertThat(trainFlags.apply("blockRows")).as("an option of a mixin")
        .isEqualTo("--block-rows");
    assertThat(trainFlags.apply("learningRate")).isEqualTo("--lr");
    assertThat(trainFlags.apply("numRows")).isNull();
    assertThat(Flags.of(generate).apply("numRows")).isEqualTo("--rows");
    BadParameterException refusal = new BadParameterException(param("learningRate"),
        " must be > 0, got -1.0");
    assertThat(Flags.say(refusal, train)).isEqualTo("--lr must be > 0, got -1.0");
    assertThat(Flags.say(refusal, generate)).as("no option of generate sets it")
        .isEqualTo("learningRate must be > 0, got -1.0");
  }

  /** Column names and paths that are also parameter names stay the user's words. */
  @Test
  void theUsersWordsAreNotRewritten(@TempDir Path dir) throws IOException {
    assertOneErrorLine(backward(dir, "--x", inputs.resolve("named.csv").toString(), "--loss",
        "sum", "--features-cols", "tol,nope"), inputs.resolve("named.csv")
        + ": no feature column 'nope' (columns: id, tol, partitions)");
    Path folder = Files.createDirectories(dir.resolve("runs to overwrite later"));
    Path missing = folder.resolve("G.npy");
    assertOneErrorLine(backward(dir, "--x", inputs.resolve("X.npy").toString(), "--upstream",
        missing.toString()), missing + ": file not found");
  }
}
