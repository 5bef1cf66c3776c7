package io.sparkgemm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.cli.SparkGemmCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-gemm bench} end to end on a tiny shape with every contender: each result agrees
 * with the floor's, and bench.json holds the documented fields with sane values (timings are
 * not asserted).
 */
class BenchTest {
  static SparkSession spark;
  @TempDir
  static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("BenchTest")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @Test
  void everyContenderAgreesWithTheFloorAndBenchJsonIsComplete() throws Exception {
    Path out = dir.resolve("bench");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    // --full: every contender (the shapes and pipe given here still apply)
    int code = SparkGemmCli.run(new String[] {"bench", "--full", "--shapes", "700x12x4", "--reps",
        "1",
        "--blas-threads", "1,2", "--block-rows", "150", "--partitions", "2",
        "--fit-iterations", "2", "--pipe", "none", "--master", "local[2]", "--out",
        out.toString()},
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    String console = stdout.toString(StandardCharsets.UTF_8);
    assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(console).contains("speed-up over MLlib", "cached X of");

    JsonNode doc = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
    assertThat(doc.get("dtype").asText()).isEqualTo("float64");
    JsonNode records = doc.get("records");
    Set<String> seen = new HashSet<>();
    for (JsonNode r : records) {
      String what = r.get("contender").asText() + " " + r.get("operation").asText() + " "
          + r.get("blas_threads").asInt();
      seen.add(r.get("contender").asText() + " " + r.get("operation").asText());
      for (String field : List.of("shape", "n", "d", "k", "dtype", "contender", "operation",
          "blas_threads", "seconds_median", "seconds_min", "seconds_max", "gflops",
          "ratio_to_floor", "rel_error", "cached_bytes", "raw_bytes")) {
        assertThat(r.has(field)).as(what + " has " + field).isTrue();
      }
      assertThat(r.get("shape").asText()).isEqualTo("700x12x4");
      double min = r.get("seconds_min").asDouble();
      double median = r.get("seconds_median").asDouble();
      assertThat(min).as(what).isPositive().isLessThanOrEqualTo(median);
      assertThat(median).as(what).isLessThanOrEqualTo(r.get("seconds_max").asDouble());
      assertThat(r.get("rel_error").isNumber()).as(what + " rel_error").isTrue();
      assertThat(r.get("rel_error").asDouble()).as(what + " rel_error").isLessThan(1e-9);
      assertThat(r.get("raw_bytes").asLong()).isEqualTo(700L * 12 * 8);
      if (r.get("operation").asText().equals("fit-20")) {
        assertThat(r.get("gflops").isNull()).as(what).isTrue();
        assertThat(r.get("setup_seconds").asDouble()).as(what).isPositive();
      } else {
        assertThat(r.get("gflops").asDouble()).as(what).isPositive();
      }
      if (r.get("blas_threads").asInt() == 1 && !r.get("operation").asText().equals("fit-20")
          && !r.get("contender").asText().equals("mllib-lr")) {
        assertThat(r.get("ratio_to_floor").asDouble()).as(what).isPositive();
      }
      if (r.get("cached_bytes").isNumber()) {
        assertThat(r.get("cached_to_raw").asDouble()).as(what).isBetween(0.5, 20.0);
      }
    }
    assertThat(seen).contains("floor forward", "floor backward", "floor backward+dx",
        "floor gradient", "floor fused", "spark-gemm forward", "spark-gemm backward",
        "spark-gemm backward+dx", "spark-gemm gradient", "spark-gemm fused", "spark-gemm fit-20",
        "mllib-rowmatrix forward", "mllib-blockmatrix forward", "mllib-blockmatrix backward",
        "mllib-lr gradient", "mllib-lr fit-20");
    assertThat(records.findValues("blas_threads").stream().map(JsonNode::asInt))
        .contains(1, 2);
    JsonNode oursForward = null;
    for (JsonNode r : records) {
      if (r.get("contender").asText().equals("spark-gemm")
          && r.get("operation").asText().equals("forward")) {
        oursForward = r;
      }
    }
    assertThat(oursForward.get("speedup_over").has("mllib-rowmatrix")).isTrue();
    assertThat(doc.get("warmup").asInt()).isEqualTo(2);
    for (JsonNode r : records) {
      if (r.get("contender").asText().equals("spark-gemm")
          && r.get("operation").asText().equals("fit-20")) {
        // the real trainer, not a stand-in: its note counts the passes L-BFGS ran
        assertThat(r.get("note").asText()).contains("train: L-BFGS", "at most 2 iterations")
            .containsPattern("last fit: \\d iterations, .*\\d+ softmax-ce passes");
      }
    }
    assertThat(oursForward.get("speedup_over").has("mllib-blockmatrix")).isTrue();
    byte[] png = Files.readAllBytes(out.resolve("bench.png"));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
  }
}
