package io.sparkgemm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.cli.SparkGemmCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipe table of {@code spark-gemm bench}: the train section runs the same objective from
 * .npy and from Parquet, and scipy's L-BFGS-B where python3 with scipy is installed.
 */
class PipeBenchTest {
  @TempDir
  Path dir;

  @Test
  void trainSectionReachesTheSameObjectiveFromEveryFormatAndAsScipy() throws Exception {
    Path out = dir.resolve("bench");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = SparkGemmCli.run(new String[] {"bench", "--shapes", "none", "--pipe", "train",
        "--train-shape", "1500x20x4", "--train-iterations", "6", "--partitions", "2",
        "--master", "local[2]", "--out", out.toString()},
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("section", "scipy");

    JsonNode pipe = new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("pipe");
    Map<String, JsonNode> rows = new HashMap<>();
    pipe.forEach(r -> rows.put(r.get("contender").asText() + "/" + r.get("format").asText(), r));
    assertThat(rows).containsOnlyKeys("spark-gemm/npy", "spark-gemm/parquet", "scipy/npy");
    JsonNode npy = rows.get("spark-gemm/npy");
    JsonNode parquet = rows.get("spark-gemm/parquet");
    for (JsonNode r : new JsonNode[] {npy, parquet}) {
      assertThat(r.get("iterations").asInt()).isEqualTo(6);
      assertThat(r.get("partitions").asInt()).isEqualTo(2);
      assertThat(r.get("seconds_median").asDouble()).isPositive();
      // W = 0 gives ln 4; six L-BFGS steps on separable classes go well below it
      assertThat(r.get("objective").asDouble()).isLessThan(0.8 * Math.log(4));
    }
    // The same rows, blocks and partitions from either format: the same objective.
    assertThat(parquet.get("objective").asDouble())
        .isCloseTo(npy.get("objective").asDouble(), within(1e-12));
    JsonNode scipy = rows.get("scipy/npy");
    if (!scipy.get("note").asText().startsWith("skipped")) {
      // An independent implementation of the same objective and method: after as many
      // iterations from the same start, the same objective to the line searches' differences.
      assertThat(scipy.get("iterations").asInt()).isEqualTo(6);
      assertThat(scipy.get("objective").asDouble())
          .isCloseTo(npy.get("objective").asDouble(), within(1e-3));
    }
  }
}
