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
    int code = SparkGemmCli.run(new String[] {"bench", "--shapes", "none", "--pipe",
        "fixed-cost,ingest,train", "--ingest-shape", "3000x8x3", "--reps", "1",
        "--train-shape", "1500x20x4", "--train-iterations", "6", "--partitions", "2",
        "--master", "local[2]", "--out", out.toString()},
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("section", "scipy");

    JsonNode pipe = new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("pipe");
    Map<String, JsonNode> all = new HashMap<>();
    pipe.forEach(r -> all.put(r.get("section").asText() + ":" + r.get("contender").asText()
        + "/" + r.get("format").asText(), r));
    assertThat(all.keySet()).filteredOn(key -> key.startsWith("ingest:")).containsOnly(
        "ingest:spark-sql-scan/parquet", "ingest:spark-gemm/parquet",
        "ingest:spark-gemm-own-jvm/parquet", "ingest:spark-sql-scan/parquet-columns",
        "ingest:spark-gemm/parquet-columns", "ingest:spark-gemm-own-jvm/parquet-columns",
        "ingest:spark-sql-scan/parquet-vector", "ingest:spark-gemm/parquet-vector",
        "ingest:spark-gemm-own-jvm/parquet-vector", "ingest:spark-gemm/npy",
        "ingest:spark-gemm-own-jvm/npy", "ingest:spark-sql-scan/csv", "ingest:spark-gemm/csv",
        "ingest:spark-gemm-own-jvm/csv");
    all.forEach((key, r) -> {
      if (key.startsWith("ingest:")) {
        // MB/s of X as float64: n·d·8 bytes over the median seconds
        double xMb = (key.endsWith("csv") ? 3000 / 16 : 3000) * 8 * 8 / 1e6;
        assertThat(r.get("x_mb").asDouble()).isCloseTo(xMb, within(1e-9));
        assertThat(r.get("mb_per_second").asDouble())
            .isCloseTo(xMb / r.get("seconds_median").asDouble(), within(1e-6));
        assertThat(r.get("command").asText()).startsWith("backward --x ")
            .contains("--loss softmax-ce --outputs 3");
      }
      if (key.startsWith("ingest:spark-gemm") && !key.endsWith("npy")) {
        JsonNode sql = all.get("ingest:spark-sql-scan/" + key.substring(key.indexOf('/') + 1));
        assertThat(r.get("sql_scan_ratio").asDouble()).isCloseTo(sql.get("seconds_median")
            .asDouble() / r.get("seconds_median").asDouble(), within(1e-9));
      }
      if (key.startsWith("ingest:spark-gemm-own-jvm")) {
        // the whole command in a new JVM takes longer than its read+block
        assertThat(r.get("wall_seconds").asDouble())
            .isGreaterThan(r.get("seconds_median").asDouble());
      }
    });
    JsonNode fixed = all.get("fixed-cost:spark-gemm/-");
    assertThat(fixed.get("pass_seconds").asDouble()).isPositive();
    assertThat(fixed.get("fixed_seconds").asDouble()).isEqualTo(Math.max(0.0,
        fixed.get("pass_seconds").asDouble() - fixed.get("gemm_seconds").asDouble()));
    Map<String, JsonNode> rows = new HashMap<>();
    all.forEach((key, r) -> {
      if (key.startsWith("train:")) {
        rows.put(key.substring("train:".length()), r);
      }
    });
    assertThat(rows).containsOnlyKeys("spark-gemm/npy", "spark-gemm/parquet", "scipy/npy",
        "mllib/parquet");
    JsonNode npy = rows.get("spark-gemm/npy");
    JsonNode parquet = rows.get("spark-gemm/parquet");
    for (JsonNode r : new JsonNode[] {npy, parquet}) {
      assertThat(r.get("iterations").asInt()).isEqualTo(6);
      assertThat(r.get("partitions").asInt()).isEqualTo(2);
      // the train command in a JVM of its own: its wall clock holds its read and training
      assertThat(r.get("seconds_median").asDouble()).isGreaterThan(
          r.get("read_block_seconds").asDouble() + r.get("train_seconds").asDouble());
      assertThat(r.get("command").asText()).startsWith("spark-gemm train --x ");
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
    // MLlib on the Parquet file, the same objective (mean cross-entropy + reg/2·||W||²) minimised
    // in its own scaled coordinates: another path, well below ln 4 after as many iterations
    JsonNode mllib = rows.get("mllib/parquet");
    assertThat(mllib.get("iterations").asInt()).isEqualTo(6);
    assertThat(mllib.get("seconds_median").asDouble())
        .isGreaterThan(mllib.get("train_seconds").asDouble());
    assertThat(mllib.get("objective").asDouble()).isPositive().isLessThan(0.8 * Math.log(4));
  }
}
