package io.sparkgemm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized scale check (scripts/scale-check.sh is the full one): a 1 GiB .npy X (1,048,576 x
 * 128 float64) on a loopback cluster of two Workers whose executors have 256 MB of heap, twice the
 * executors' memory together, submitted through scripts/submit as a user would, with the default
 * partitioning. backward's dW, db and loss are checked against sums over every row computed here
 * as the file was written; train's first L-BFGS pass (W = 0) against the same, and its passes
 * must lower the objective. Some partitions must have been left out of the cache (a .npy X is
 * cached MEMORY_ONLY and read again where it does not fit): the data did not fit.
 */
@Tag("cluster")
class ScaleIT {
  static final long ROWS = 1L << 20;
  static final int FEATURES = 128;
  static final int OUTPUTS = 4;
  /**
   * Executors of 256 MB. Spark refuses one under 1.5 times the memory it keeps back (300 MB)
   * unless told to keep back less: with 100 MB, blocks and execution get about
   * (256 − 100) · 0.6 = 94 MB per executor.
   */
  static final List<String> SMALL_EXECUTORS = List.of("--conf", "spark.executor.memory=256m",
      "--conf", "spark.testing.reservedMemory=104857600");

  @TempDir
  static Path dir;
  static LoopbackCluster cluster;
  static StreamedOracle oracle;
  static Path data;

  @BeforeAll
  static void writeDataAndStartCluster() throws Exception {
    data = Files.createDirectories(dir.resolve("data"));
    oracle = new StreamedOracle(ROWS, FEATURES, OUTPUTS, 11);
    oracle.write(data.resolve("X.npy"), data.resolve("T.npy"), 12);
    Npy.write(data.resolve("W.npy"), NpyArray.of(DenseBlock.ofRows(oracle.w)));
    Npy.write(data.resolve("b.npy"), NpyArray.ofVector(oracle.b));
    cluster = new LoopbackCluster(dir.resolve("cluster"), 27377, 28380);
    LoopbackCluster.Result started = cluster.script("cluster.sh", List.of("start", "2"),
        Map.of(), 240);
    assertThat(started.code()).as(started.output()).isZero();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      LoopbackCluster.Result stopped = cluster.script("cluster.sh", List.of("stop"), Map.of(),
          120);
      assertThat(stopped.code()).as(stopped.output()).isZero();
      assertThat(cluster.pidFiles()).as("PID files left behind").isEmpty();
    }
  }

  @Test
  void backwardAndTrainOnAnXTwiceTheExecutorsMemoryGiveTheStreamedSums() throws Exception {
    Path backward = dir.resolve("backward");
    JsonNode pass = submit(backward, "backward", "--x", data.resolve("X.npy").toString(),
        "--labels", data.resolve("T.npy").toString(), "--loss", "mse", "--w",
        data.resolve("W.npy").toString(), "--b", data.resolve("b.npy").toString());

    assertThat(pass.path("rows").asLong()).isEqualTo(ROWS);
    JsonNode cache = pass.path("cachedBlocks");
    assertThat(cache.path("storageLevel").asText()).as("a .npy X's default").isEqualTo(
        "MEMORY_ONLY");
    assertThat(cache.path("cachedPartitions").asInt())
        .as("partitions that did not fit the executors' memory, read again from X at every pass")
        .isLessThan(pass.path("partitions").asInt());
    assertClose("loss", pass.path("lossValue").asDouble(), oracle.loss);
    double[][] dw = Npy.read(backward.resolve("dW.npy")).toBlock().toRows();
    double[] db = Npy.read(backward.resolve("db.npy")).toVector();
    for (int c = 0; c < FEATURES; c++) {
      for (int j = 0; j < OUTPUTS; j++) {
        assertClose("dW[" + c + "][" + j + "]", dw[c][j], oracle.dw[c][j]);
      }
    }
    for (int j = 0; j < OUTPUTS; j++) {
      assertClose("db[" + j + "]", db[j], oracle.db[j]);
    }
    long perPass = pass.path("bytesToDriver").asLong();
    assertThat(perPass).as("the driver receives partial gradients, not rows")
        .isPositive().isLessThanOrEqualTo(pass.path("partitions").asLong()
            * 8L * (FEATURES * OUTPUTS + OUTPUTS));

    JsonNode train = submit(dir.resolve("train"), "train", "--x",
        data.resolve("X.npy").toString(), "--labels", data.resolve("T.npy").toString(),
        "--loss", "mse", "--max-iter", "2");

    JsonNode first = train.path("history").get(0);
    assertClose("objective at W = 0", first.path("objective").asDouble(), oracle.lossAtZero);
    assertClose("gradient norm at W = 0", first.path("gradientNorm").asDouble(),
        oracle.gradientNormAtZero);
    assertThat(train.path("finalObjective").asDouble()).isLessThan(0.5 * oracle.lossAtZero);
    assertThat(train.path("bytesToDriver").asLong())
        .as("every pass sends the driver what backward's did")
        .isEqualTo(train.path("passes").asLong() * perPass);
  }

  /** Submits a command to the cluster with small executors; returns its report. */
  private static JsonNode submit(Path out, String... command) throws Exception {
    List<String> args = new ArrayList<>(SMALL_EXECUTORS);
    args.addAll(List.of(command));
    args.addAll(List.of("--out", out.toString()));
    LoopbackCluster.Result run = cluster.script("submit", args, Map.of(), 400);
    assertThat(run.code()).as(run.output()).isZero();
    return report(out);
  }

  private static JsonNode report(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("report.json").toFile());
  }

  /** Sums over a million rows in another order: |a − r| <= 1e-12 + 1e-9 |r|. */
  private static void assertClose(String what, double actual, double expected) {
    assertThat(Math.abs(actual - expected))
        .as("%s: spark-gemm %s, streamed oracle %s", what, actual, expected)
        .isLessThanOrEqualTo(1e-12 + 1e-9 * Math.abs(expected));
  }
}
