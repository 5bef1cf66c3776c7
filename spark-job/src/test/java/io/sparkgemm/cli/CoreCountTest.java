package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the same input and {@code --partitions}, the number of cores does not change a bit: Spark
 * splits files by its default parallelism (the core count), so the split size is fixed from
 * {@code --partitions} instead. Each run starts its own session (no shared one), as a user's
 * {@code --master local[N]} does. The loopback cluster is compared with local[1] in ClusterIT.
 */
class CoreCountTest {
  @TempDir
  static Path dir;
  static Path x;

  @BeforeAll
  static void generate() {
    // Three Parquet files of ~0.2 MB: one local[1] partition (all files) or one each on local[2]
    // under Spark's default split rules, so the blocks would be cut differently.
    Path data = dir.resolve("data");
    CliRun run = CliRun.of("generate", "--rows", "3001", "--features", "16", "--outputs", "4",
        "--seed", "21", "--partitions", "3", "--out", data.toString(), "--master", "local[2]");
    assertThat(run.exitCode()).as(run.err()).isZero();
    x = data.resolve("X.parquet");
  }

  private static Path backward(String master, String name) {
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("backward", "--x", x.toString(), "--id-col", "id",
        "--labels-col", "targets", "--loss", "mse", "--init", "xavier", "--outputs", "4",
        "--seed", "5", "--partitions", "4", "--block-rows", "64", "--master", master, "--out",
        out.toString()));
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return out;
  }

  @Test
  void localOneAndLocalTwoCoresGiveTheSameBits() throws IOException {
    Path one = backward("local[1]", "one");
    Path two = backward("local[2]", "two");
    JsonNode r1 = new ObjectMapper().readTree(one.resolve("report.json").toFile());
    JsonNode r2 = new ObjectMapper().readTree(two.resolve("report.json").toFile());
    assertThat(r2.path("blocks").asLong()).as("blocks").isEqualTo(r1.path("blocks").asLong());
    for (String file : List.of("dW.npy", "db.npy")) {
      assertThat(Files.readAllBytes(two.resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(one.resolve(file)));
    }
    // and both are right: dW against the single-process reference is checked elsewhere; here
    // the loss must agree bit for bit too
    assertThat(r2.path("lossValue").asDouble()).isEqualTo(r1.path("lossValue").asDouble());
    assertThat(readMatrix(one.resolve("dW.npy")).length).isEqualTo(16);
  }
}
