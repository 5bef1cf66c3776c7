package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static io.sparkgemm.cli.E2eFiles.report;
import static io.sparkgemm.cli.NaiveOracle.F32;
import static io.sparkgemm.cli.NaiveOracle.F64;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyDType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** forward and backward on .npy inputs, checked against the naive oracle. */
class CliNpyEndToEndTest {
  private static final int N = 37;
  private static final int D = 5;
  private static final int K = 3;

  @TempDir
  static Path inputs;

  private static SparkSession spark;
  private static double[][] x;
  private static double[][] w;
  private static double[] b;
  private static double[][] t;
  private static int[] labels;
  private static double[][] upstream;
  private static double[][] y;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("CliNpyEndToEndTest");
    Random random = new Random(20240601L);
    x = NaiveOracle.gaussian(random, N, D);
    w = NaiveOracle.gaussian(random, D, K);
    b = NaiveOracle.gaussian(random, K);
    t = NaiveOracle.gaussian(random, N, K);
    labels = NaiveOracle.classes(random, N, K);
    upstream = NaiveOracle.gaussian(random, N, K);
    y = NaiveOracle.forward(x, w, b);
    npy(inputs.resolve("X.npy"), x);
    npy(inputs.resolve("W.npy"), w);
    npy(inputs.resolve("b.npy"), b);
    npy(inputs.resolve("T.npy"), t);
    npy(inputs.resolve("G.npy"), upstream);
    E2eFiles.npyInts(inputs.resolve("L32.npy"), labels);
    E2eFiles.npyLongs(inputs.resolve("L64.npy"), labels);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun run(String command, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of(command,
        "--x", inputs.resolve("X.npy").toString(), "--w", inputs.resolve("W.npy").toString(),
        "--b", inputs.resolve("b.npy").toString(), "--out", out.toString(),
        "--master", "local[2]"));
    args.addAll(List.of(extra));
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    assertThat(run.err()).isEmpty();
    return run;
  }

  @Test
  void forwardWritesYAndAReport(@TempDir Path dir) {
    Path out = dir.resolve("fwd");
    CliRun run = run("forward", out, "--block-rows", "7");

    assertClose("Y", readMatrix(out.resolve("Y.npy")), y, F64);
    assertThat(run.out()).contains("X 37 x 5 (float64, 2 partitions, 6 blocks of <= 7 rows)")
        .contains("output: ");
    JsonNode report = report(out);
    assertThat(report.path("command").asText()).isEqualTo("forward");
    assertThat(report.path("shapes").path("X").toString()).isEqualTo("[37,5]");
    assertThat(report.path("shapes").path("W").toString()).isEqualTo("[5,3]");
    assertThat(report.path("shapes").path("b").toString()).isEqualTo("[3]");
    assertThat(report.path("shapes").path("Y").toString()).isEqualTo("[37,3]");
    assertThat(report.path("shapes").has("dW")).isFalse();
    assertThat(report.path("rows").asLong()).isEqualTo(N);
    assertThat(report.path("dtype").asText()).isEqualTo("float64");
    assertThat(report.path("backend").asText()).contains("native");
    assertThat(report.path("blocks").asInt()).isEqualTo(6);
    assertThat(report.path("blockRows").asInt()).isEqualTo(7);
    assertThat(report.path("partitions").asInt()).isEqualTo(2);
    assertThat(report.path("gflopsPerSecond").isNumber()).isTrue();
    assertThat(report.path("gflopsPerSecond").asDouble()).isPositive();
    assertThat(report.path("gemmFlops").asDouble()).isEqualTo(2.0 * N * D * K);
    assertThat(report.path("seconds").path("pass").asDouble()).isPositive();
    assertThat(report.path("seconds").has("readAndBlock")).isTrue();
    assertThat(report.path("outputs").path("Y").asText()).isEqualTo("Y.npy");
    assertThat(report.has("lossValue")).isFalse();
  }

  /**
   * Every loss head, across block sizes and partition counts: 1-row blocks, one block for all
   * rows, and more partitions than blocks (empty partitions).
   */
  @ParameterizedTest(name = "{0} block-rows {1} partitions {2}")
  @CsvSource({"sum, 7, 0", "sum, 37, 3", "mean, 37, 1", "mse, 1, 3", "mse, 7, 0",
      "softmax-ce L32.npy, 7, 3", "softmax-ce L64.npy, 5, 0"})
  void backwardMatchesTheOracleForEveryLossHead(String loss, int blockRows, int partitions,
      @TempDir Path dir) {
    String[] parts = loss.split(" ");
    Path out = dir.resolve("bwd");
    List<String> extra = new ArrayList<>(List.of("--loss", parts[0], "--input-grad",
        "--block-rows", Integer.toString(blockRows), "--partitions",
        Integer.toString(partitions)));
    NaiveOracle.Head head = switch (parts[0]) {
      case "sum" -> NaiveOracle.constant(y, false);
      case "mean" -> NaiveOracle.constant(y, true);
      case "mse" -> NaiveOracle.mse(y, t);
      default -> NaiveOracle.softmaxCrossEntropy(y, labels);
    };
    if (parts[0].equals("mse")) {
      extra.addAll(List.of("--labels", inputs.resolve("T.npy").toString()));
    } else if (parts.length > 1) {
      extra.addAll(List.of("--labels", inputs.resolve(parts[1]).toString()));
    }
    CliRun run = run("backward", out, extra.toArray(new String[0]));

    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
    assertClose("dX", readMatrix(out.resolve("dX.npy")), expected.dx(), F64);
    JsonNode report = report(out);
    assertClose("lossValue", report.path("lossValue").asDouble(), head.loss(), F64);
    assertThat(report.path("command").asText()).isEqualTo("backward");
    assertThat(report.path("loss").asText()).isEqualTo(parts[0]);
    assertThat(report.path("shapes").path("dX").toString()).isEqualTo("[37,5]");
    assertThat(report.path("shapes").path("G").toString()).isEqualTo("[37,3]");
    assertThat(report.path("rows").asLong()).isEqualTo(N);
    assertThat(report.path("blocks").asInt()).isEqualTo((N + blockRows - 1) / blockRows);
    if (partitions > 0) {
      assertThat(report.path("partitions").asInt()).isEqualTo(partitions);
    }
    assertThat(report.path("allFinite").asBoolean()).isTrue();
    assertThat(report.path("outputs").has("Y")).isFalse();
    assertThat(out.resolve("Y.npy")).doesNotExist();
    assertThat(run.out()).contains("loss (" + parts[0] + ") = ");
  }

  @Test
  void suppliedUpstreamGradientGivesXtGAndGWt(@TempDir Path dir) {
    Path out = dir.resolve("up");
    run("backward", out, "--upstream", inputs.resolve("G.npy").toString(), "--input-grad",
        "--block-rows", "7");

    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, upstream);
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
    assertClose("dX", readMatrix(out.resolve("dX.npy")), expected.dx(), F64);
    JsonNode report = report(out);
    assertThat(report.path("loss").asText()).isEqualTo("supplied");
    assertClose("lossValue", report.path("lossValue").asDouble(),
        NaiveOracle.surrogate(upstream, y), F64);
  }

  @Test
  void saveOutputWritesYBesideTheGradients(@TempDir Path dir) {
    Path out = dir.resolve("saved");
    run("backward", out, "--loss", "sum", "--save-output", "--block-rows", "10");

    assertClose("Y", readMatrix(out.resolve("Y.npy")), y, F64);
    assertClose("dW", readMatrix(out.resolve("dW.npy")),
        NaiveOracle.grads(x, w, NaiveOracle.constant(y, false).g()).dw(), F64);
    assertThat(out.resolve("dX.npy")).doesNotExist();
    assertThat(report(out).path("outputs").path("Y").asText()).isEqualTo("Y.npy");
  }

  /** Without --input-grad or --save-output no row outputs are kept (nor written). */
  @Test
  void backwardWithoutRowOutputsWritesOnlyTheGradients(@TempDir Path dir) {
    Path out = dir.resolve("grads-only");
    run("backward", out, "--loss", "mean", "--block-rows", "7");

    NaiveOracle.Head head = NaiveOracle.constant(y, true);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
    assertThat(out.resolve("dX.npy")).doesNotExist();
    assertThat(out.resolve("Y.npy")).doesNotExist();
    assertThat(report(out).path("outputs").size()).isEqualTo(2);
  }

  @Test
  void float32RunsSgemmAndWritesFloat32Outputs(@TempDir Path dir) {
    Path out = dir.resolve("f32");
    run("backward", out, "--dtype", "float32", "--loss", "mse", "--labels",
        inputs.resolve("T.npy").toString(), "--input-grad", "--save-output", "--block-rows", "8");

    // The pass sees X and W rounded to float32; the oracle stays float64.
    double[][] x32 = NaiveOracle.roundToFloat(x);
    double[][] w32 = NaiveOracle.roundToFloat(w);
    double[][] y32 = NaiveOracle.forward(x32, w32, b);
    NaiveOracle.Head head = NaiveOracle.mse(y32, t);
    NaiveOracle.Grads expected = NaiveOracle.grads(x32, w32, head.g());
    assertThat(Npy.read(out.resolve("Y.npy")).dtype()).isEqualTo(NpyDType.FLOAT32);
    assertThat(Npy.read(out.resolve("dX.npy")).dtype()).isEqualTo(NpyDType.FLOAT32);
    assertThat(Npy.read(out.resolve("dW.npy")).dtype()).isEqualTo(NpyDType.FLOAT64);
    assertClose("Y", readMatrix(out.resolve("Y.npy")), y32, F32);
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F32);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F32);
    assertClose("dX", readMatrix(out.resolve("dX.npy")), expected.dx(), F32);
    JsonNode report = report(out);
    assertThat(report.path("dtype").asText()).isEqualTo("float32");
    assertClose("lossValue", report.path("lossValue").asDouble(), head.loss(), F32);
  }

  @Test
  void forwardWithoutBiasUsesZeros(@TempDir Path dir) {
    Path out = dir.resolve("nob");
    CliRun run = CliRun.of("forward", "--x", inputs.resolve("X.npy").toString(), "--w",
        inputs.resolve("W.npy").toString(), "--out", out.toString(), "--master", "local[2]");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertClose("Y", readMatrix(out.resolve("Y.npy")), NaiveOracle.forward(x, w, new double[K]),
        F64);
    assertThat(report(out).path("inputs").path("b").asText()).isEqualTo("zeros");
  }

  @Test
  void aShardedReductionWritesTheSameBitsAndReportsWhatReachedTheDriver(@TempDir Path dir)
      throws IOException {
    long gradientBytes = 8L * (D * K + K);
    Path whole = dir.resolve("whole");
    Path sharded = dir.resolve("sharded");
    CliRun wholeRun = run("backward", whole, "--loss", "mean", "--partitions", "3",
        "--block-rows", "4");
    run("backward", sharded, "--loss", "mean", "--partitions", "3", "--block-rows", "4",
        "--shard-threshold", "1");

    assertThat(Files.mismatch(whole.resolve("dW.npy"), sharded.resolve("dW.npy")))
        .as("dW.npy files differ at byte").isEqualTo(-1L);
    assertThat(Files.mismatch(whole.resolve("db.npy"), sharded.resolve("db.npy")))
        .as("db.npy files differ at byte").isEqualTo(-1L);
    assertThat(wholeRun.out()).contains("reduction: tree depth 1, 1 column shard, ");
    JsonNode unshardedReport = report(whole);
    assertThat(unshardedReport.path("gradientShards").asInt()).isEqualTo(1);
    assertThat(unshardedReport.path("bytesToDriver").asLong()).isEqualTo(3 * gradientBytes);
    JsonNode shardedReport = report(sharded);
    assertThat(shardedReport.path("gradientShards").asInt()).isEqualTo(K);
    assertThat(shardedReport.path("bytesToDriver").asLong()).isEqualTo(gradientBytes);
    assertClose("dW", readMatrix(sharded.resolve("dW.npy")),
        NaiveOracle.grads(x, w, NaiveOracle.constant(y, true).g()).dw(), F64);
  }

  @Test
  void deterministicRunsGiveTheSameBitsWhateverThePartitionCount(@TempDir Path dir)
      throws IOException {
    Path[] outs = {dir.resolve("p1"), dir.resolve("p3"), dir.resolve("p5")};
    int[] partitions = {1, 3, 5};
    for (int i = 0; i < outs.length; i++) {
      run("backward", outs[i], "--loss", "mse", "--labels", inputs.resolve("T.npy").toString(),
          "--input-grad", "--deterministic", "--block-rows", "2", "--partitions",
          String.valueOf(partitions[i]));
      assertThat(report(outs[i]).path("deterministic").asBoolean()).isTrue();
    }
    for (String file : new String[] {"dW.npy", "db.npy", "dX.npy"}) {
      for (int i = 1; i < outs.length; i++) {
        assertThat(Files.mismatch(outs[0].resolve(file), outs[i].resolve(file)))
            .as(file + " with " + partitions[i] + " partitions differs at byte").isEqualTo(-1L);
      }
    }
    NaiveOracle.Head mse = NaiveOracle.mse(y, t);
    assertClose("dW", readMatrix(outs[1].resolve("dW.npy")), NaiveOracle.grads(x, w, mse.g()).dw(),
        F64);
  }
}
