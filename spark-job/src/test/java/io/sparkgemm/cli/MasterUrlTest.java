package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A --master URL Spark cannot use: exit 2 and one line, before any Spark job. */
class MasterUrlTest {

  @ParameterizedTest
  @ValueSource(strings = {"bogus://x", "local[0]"})
  void aMasterUrlSparkCannotUseIsOneErrorLine(String master, @TempDir Path dir) {
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("generate", "--rows", "20", "--features", "3", "--outputs", "2",
        "--out", out.toString(), "--master", master);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).singleElement().satisfies(l -> assertThat(l)
        .startsWith("error: --master " + master + " is not a master URL")
        .contains("local[N]", "spark://HOST:PORT"));
    assertThat(out).doesNotExist();
  }
}
