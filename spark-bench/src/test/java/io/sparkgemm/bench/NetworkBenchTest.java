package io.sparkgemm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.cli.SparkGemmCli;
import io.sparkgemm.local.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network section of {@code spark-gemm bench} on a tiny shape: spark-gemm's and MLlib's
 * MultilayerPerceptronClassifier's objective and gradient agree at the same θ, and both fits
 * run their iterations.
 */
class NetworkBenchTest {
  @TempDir
  Path dir;

  @Test
  void networkSectionsObjectivesAgreeWithMllibs() throws Exception {
    Path out = dir.resolve("bench");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    // 1,024 rows in 2 partitions of 4 MLlib blocks of 128 rows: MLlib's objective (a mean over
    // its blocks of each block's mean) is then the mean over rows, spark-gemm's
    int code = SparkGemmCli.run(new String[] {"bench", "--shapes", "none", "--pipe",
        "network", "--network-shape", "1024x12x6x3", "--network-iterations", "4", "--reps",
        "1", "--partitions", "2", "--master", "local[2]", "--out", out.toString()},
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("network", "mllib-mlp");

    JsonNode pipe = new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("pipe");
    Map<String, JsonNode> rows = new HashMap<>();
    pipe.forEach(r -> rows.put(r.get("contender").asText() + ": " + r.get("what").asText(), r));
    String what = "1024x12-6(sigmoid)-3";
    assertThat(rows).containsOnlyKeys("spark-gemm: " + what + " loss+gradient",
        "mllib-mlp: " + what + " loss+gradient", "spark-gemm: " + what + " 4 L-BFGS it",
        "mllib-mlp: " + what + " 4 L-BFGS it");
    JsonNode mllib = rows.get("mllib-mlp: " + what + " loss+gradient");
    JsonNode ours = rows.get("spark-gemm: " + what + " loss+gradient");
    assertThat(mllib.get("relative_difference").asDouble()).isLessThan(1e-12);
    assertThat(mllib.get("gradient_relative_difference").asDouble()).isLessThan(1e-9);
    // spark-gemm's native backend loaded OpenBLAS into netlib first: MLlib's GEMMs use it too
    assertThat(mllib.get("mllib_blas").asText()).isNotEmpty();
    assertThat(ours.get("objective").asDouble()).isBetween(0.5 * Math.log(3),
        2 * Math.log(3));
    for (String contender : new String[] {"spark-gemm", "mllib-mlp"}) {
      JsonNode fit = rows.get(contender + ": " + what + " 4 L-BFGS it");
      assertThat(fit.get("iterations").asInt()).as(contender).isEqualTo(4);
      assertThat(fit.get("seconds_per_iteration").asDouble()).as(contender).isPositive();
      assertThat(fit.get("objective").asDouble()).as(contender)
          .isLessThan(ours.get("objective").asDouble());
    }
  }

  @Test
  void badNetworkShapesAreRefused() {
    long[] rows = new long[1];
    assertThat(NetworkRuns.Config.parse("200000x784x256x10", rows)).containsExactly(784, 256,
        10);
    assertThat(rows[0]).isEqualTo(200000);
    assertThatThrownBy(() -> NetworkRuns.Config.parse("1000x12x3", rows))
        .hasMessageContaining("expected NxDxH[xH...]xK");
    assertThatThrownBy(() -> NetworkRuns.Config.parse("1000x12xsixx3", rows))
        .hasMessageContaining("expected whole numbers");
    assertThatThrownBy(() -> new NetworkRuns.Config(1000, new int[] {12, 6, 1}, 1, 1, 42, 2,
        128, DType.FLOAT64)).hasMessageContaining("K >= 2 classes");
  }
}
