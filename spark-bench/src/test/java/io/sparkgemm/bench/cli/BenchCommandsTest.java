package io.sparkgemm.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.cli.SparkGemmCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's commands reach {@code spark-gemm} through the {@code CommandProvider} service:
 * listed in its help, parsed and checked like the built-in commands.
 */
class BenchCommandsTest {

  @Test
  void helpListsTheBenchCommandsBeforeHelp() {
    Run run = run("--help");
    assertThat(run.code).isZero();
    assertThat(run.out).contains("bench-pass", "bench-train", "\n  bench ");
    assertThat(run.out.indexOf("bench-train")).isLessThan(run.out.indexOf("\n  help "));
  }

  @Test
  void benchHelpWorks() {
    Run run = run("bench", "--help");
    assertThat(run.code).as(run.err).isZero();
    assertThat(run.out).contains("--shapes", "--contenders", "--master");
  }

  @Test
  void zeroBenchRepeatsAreRefusedWithExitCode2() {
    Run run = run("bench-pass", "--rows", "10", "--features", "4", "--outputs", "2",
        "--repeats", "0", "--master", "local[2]");
    assertThat(run.code).as(run.err).isEqualTo(2);
    assertThat(run.err).startsWith("error: ").doesNotContain("\tat ")
        .contains("--repeats and --floor-threads must be >= 1, got 10, 4, 2, 0, 2");
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SparkGemmCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private record Run(int code, String out, String err) {
  }
}
