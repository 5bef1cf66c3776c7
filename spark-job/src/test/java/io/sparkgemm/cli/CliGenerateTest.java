package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static io.sparkgemm.cli.E2eFiles.report;
import static io.sparkgemm.cli.NaiveOracle.F64;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgemm.local.npy.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** generate, then feed what it wrote into backward with the true W and b. */
class CliGenerateTest {
  private static final int N = 500;
  private static final int D = 6;
  private static final int K = 3;
  /** noise 0.1 on each of k outputs: E[mse] = k · 0.01. */
  private static final double EXPECTED_MSE = K * 0.01;

  private static SparkSession spark;

  @BeforeAll
  static void startSession() {
    spark = E2eFiles.startSession("CliGenerateTest");
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static Path generate(Path out, String format, String task, long seed) {
    CliRun run = CliRun.of("generate", "--rows", Integer.toString(N), "--features",
        Integer.toString(D), "--outputs", Integer.toString(K), "--format", format, "--task", task,
        "--seed", Long.toString(seed), "--out", out.toString(), "--master", "local[2]");
    assertThat(run.exitCode()).as("generate exit code; stderr:%n%s", run.err()).isZero();
    assertThat(run.out()).contains("generated 500 x 6 -> 3 (" + task + ", seed " + seed + ")");
    return out;
  }

  /** The backward arguments that read generated data of {@code format} and {@code task}. */
  private static List<String> inputArgs(Path data, String format, boolean regression) {
    String loss = regression ? "mse" : "softmax-ce";
    return switch (format) {
      case "npy" -> List.of("--x", data.resolve("X.npy").toString(), "--loss", loss, "--labels",
          data.resolve(regression ? "targets.npy" : "labels.npy").toString());
      case "parquet" -> List.of("--x", data.resolve("X.parquet").toString(), "--loss", loss,
          "--id-col", "id", "--labels-col", regression ? "targets" : "label");
      default -> regression
          ? List.of("--x", data.resolve("X.csv").toString(), "--loss", loss, "--labels",
              data.resolve("targets.npy").toString())
          : List.of("--x", data.resolve("X.csv").toString(), "--loss", loss, "--labels-col",
              "label");
    };
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"npy, regression", "npy, classification", "parquet, regression",
      "parquet, classification", "csv, regression", "csv, classification"})
  void generatedDataFeedsBackward(String format, String task, @TempDir Path dir) {
    Path data = generate(dir.resolve("data"), format, task, 3);
    boolean regression = task.equals("regression");
    JsonNode generated = report(data);
    assertThat(generated.path("rows").asLong()).isEqualTo(N);
    assertThat(generated.path("features").asInt()).isEqualTo(D);
    assertThat(generated.path("outputs").asInt()).isEqualTo(K);
    assertThat(generated.path("task").asText()).isEqualTo(task);
    assertThat(generated.path("seed").asLong()).isEqualTo(3);
    assertThat(data.resolve("W_true.npy")).isRegularFile();
    assertThat(data.resolve("b_true.npy")).isRegularFile();

    Path out = dir.resolve("grads");
    List<String> args = new ArrayList<>(List.of("backward", "--w",
        data.resolve("W_true.npy").toString(), "--b", data.resolve("b_true.npy").toString(),
        "--out", out.toString(), "--master", "local[2]", "--block-rows", "64"));
    args.addAll(inputArgs(data, format, regression));
    CliRun run = CliRun.of(args.toArray(new String[0]));

    assertThat(run.exitCode()).as("backward exit code; stderr:%n%s", run.err()).isZero();
    JsonNode report = report(out);
    assertThat(report.path("rows").asLong()).isEqualTo(N);
    assertThat(report.path("shapes").path("X").toString()).isEqualTo("[500,6]");
    assertThat(report.path("shapes").path("dW").toString()).isEqualTo("[6,3]");
    assertThat(report.path("blocks").asInt()).isGreaterThanOrEqualTo(8);
    assertThat(report.path("allFinite").asBoolean()).isTrue();
    double loss = report.path("lossValue").asDouble();
    if (regression) {
      // With the true W and b only the noise remains, and only if rows and targets align.
      assertThat(loss).as("mse with the true weights").isBetween(0.6 * EXPECTED_MSE,
          1.4 * EXPECTED_MSE);
    } else {
      // Labels are argmax(XW + b), so the true weights beat the uniform guess log k.
      assertThat(loss).as("cross-entropy with the true weights").isLessThan(Math.log(K) - 0.2);
    }
  }

  @Test
  void gradientsOfGeneratedNpyDataMatchTheOracle(@TempDir Path dir) {
    Path data = generate(dir.resolve("data"), "npy", "regression", 11);
    double[][] x = readMatrix(data.resolve("X.npy"));
    double[][] t = readMatrix(data.resolve("targets.npy"));
    double[][] w = readMatrix(data.resolve("W_true.npy"));
    double[] b = readVector(data.resolve("b_true.npy"));
    assertThat(x).hasNumberOfRows(N);
    assertThat(t).hasNumberOfRows(N);
    Path out = dir.resolve("grads");
    CliRun run = CliRun.of("backward", "--x", data.resolve("X.npy").toString(), "--w",
        data.resolve("W_true.npy").toString(), "--b", data.resolve("b_true.npy").toString(),
        "--loss", "mse", "--labels", data.resolve("targets.npy").toString(), "--out",
        out.toString(), "--master", "local[2]", "--partitions", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    NaiveOracle.Head head = NaiveOracle.mse(NaiveOracle.forward(x, w, b), t);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
  }

  /** The teacher's labels are argmax(relu(X W0) W1 + b1), recomputed here with naive loops. */
  @Test
  void aTeacherNetworkLabelsTheRowsThroughItsReluLayer(@TempDir Path dir) {
    Path data = dir.resolve("teacher");
    CliRun run = CliRun.of("generate", "--rows", Integer.toString(N), "--features",
        Integer.toString(D), "--outputs", Integer.toString(K), "--format", "npy", "--task",
        "classification", "--teacher-hidden", "5", "--holdout", "60", "--seed", "7", "--out",
        data.toString(), "--master", "local[2]");
    assertThat(run.exitCode()).as("generate exit code; stderr:%n%s", run.err()).isZero();
    assertThat(readMatrix(data.resolve("X_test.npy")).length).isEqualTo(60);
    for (String suffix : List.of("", "_test")) {
      checkTeacherLabels(data, suffix);
    }
    // The held-out rows continue the row streams: not a copy of the first rows.
    assertThat(readMatrix(data.resolve("X_test.npy"))[0])
        .isNotEqualTo(readMatrix(data.resolve("X.npy"))[0]);
  }

  private static void checkTeacherLabels(Path data, String suffix) {
    double[][] x = readMatrix(data.resolve("X" + suffix + ".npy"));
    double[][] w0 = readMatrix(data.resolve("W0_true.npy"));
    double[] b0 = readVector(data.resolve("b0_true.npy"));
    double[][] w1 = readMatrix(data.resolve("W1_true.npy"));
    double[] b1 = readVector(data.resolve("b1_true.npy"));
    int[] labels = Npy.read(data.resolve("labels" + suffix + ".npy")).toClasses();
    int n = x.length;
    assertThat(w0.length).isEqualTo(D);
    assertThat(w0[0]).hasSize(5);
    assertThat(w1.length).isEqualTo(5);
    assertThat(report(data).path("teacher").asText()).isEqualTo(D + "-5(relu)-" + K);
    int negativeUnits = 0;
    for (int r = 0; r < n; r++) {
      double[] hidden = new double[5];
      for (int h = 0; h < 5; h++) {
        double z = b0[h];
        for (int c = 0; c < D; c++) {
          z += x[r][c] * w0[c][h];
        }
        negativeUnits += z < 0 ? 1 : 0;
        hidden[h] = Math.max(0, z);
      }
      int best = 0;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < K; j++) {
        double f = b1[j];
        for (int h = 0; h < 5; h++) {
          f += hidden[h] * w1[h][j];
        }
        if (f > bestValue) {
          bestValue = f;
          best = j;
        }
      }
      assertThat(labels[r]).as("label of row %d", r).isEqualTo(best);
    }
    // The relu cuts: about half the hidden pre-activations are negative.
    assertThat(negativeUnits).isBetween(n * 5 / 4, n * 5 * 3 / 4);
  }

  @Test
  void theSameSeedGivesTheSameBytesAndAnotherSeedDoesNot(@TempDir Path dir) throws IOException {
    byte[] first = Files.readAllBytes(generate(dir.resolve("a"), "npy", "regression", 3)
        .resolve("X.npy"));
    byte[] again = Files.readAllBytes(generate(dir.resolve("b"), "npy", "regression", 3)
        .resolve("X.npy"));
    byte[] other = Files.readAllBytes(generate(dir.resolve("c"), "npy", "regression", 4)
        .resolve("X.npy"));

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(Npy.read(dir.resolve("a").resolve("X.npy")).shape()).containsExactly(N, D);
  }

  @Test
  void generateRefusesAnExistingOutputAndBadArguments(@TempDir Path dir) throws IOException {
    Path existing = Files.createDirectory(dir.resolve("taken"));
    CliRun taken = CliRun.of("generate", "--rows", "5", "--features", "2", "--outputs", "1",
        "--out", existing.toString(), "--master", "local[2]");
    assertThat(taken.exitCode()).isEqualTo(2);
    assertThat(taken.err()).contains("already exists");

    CliRun task = CliRun.of("generate", "--rows", "5", "--features", "2", "--outputs", "1",
        "--task", "clustering", "--out", dir.resolve("t").toString(), "--master", "local[2]");
    assertThat(task.exitCode()).isEqualTo(2);
    assertThat(task.err()).contains("Unknown task 'clustering'");
    assertThat(dir.resolve("t")).doesNotExist();
  }

  /** Numeric options that would write NaN, overflow or run for minutes: exit 2, no output. */
  @Test
  void generateRefusesNonFiniteNoiseAndOutOfRangeSizes(@TempDir Path dir) {
    String[][] cases = {
        {"--noise", "NaN"}, {"--noise", "Infinity"}, {"--noise", "-Infinity"}, {"--noise", "-1"},
        {"--partitions", "6"}, {"--partitions", "-1"}, {"--features", "50000", "--outputs",
            "50000"}};
    String[] messages = {
        "--noise must be a finite standard deviation >= 0, got NaN", "got Infinity",
        "got -Infinity", "got -1.0", "--partitions must be between 1 and --rows 5 (or 0 to "
            + "choose), got 6", "got -1", "makes W_true 2500000000 values"};
    Path out = dir.resolve("g");
    for (int i = 0; i < cases.length; i++) {
      Map<String, String> options = new LinkedHashMap<>(Map.of(
          "--rows", "5", "--features", "2", "--outputs", "1", "--out", out.toString(),
          "--master", "local[2]"));
      for (int j = 0; j < cases[i].length; j += 2) {
        options.put(cases[i][j], cases[i][j + 1]);
      }
      List<String> args = new ArrayList<>(List.of("generate"));
      options.forEach((key, value) -> args.addAll(List.of(key, value)));
      CliRun run;
      try (JobCounter counter = new JobCounter(spark)) {
        run = CliRun.of(args.toArray(new String[0]));
        assertThat(counter.jobs()).as(run.err()).isZero();
      }
      assertThat(run.exitCode()).as(String.join(" ", cases[i]) + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).startsWith("error: ").contains(messages[i]).doesNotContain("\tat ");
      assertThat(out).doesNotExist();
    }
  }
}
