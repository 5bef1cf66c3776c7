package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.pass.NaiveNetwork;
import io.sparkgemm.spark.train.ModelDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forward --model: a model folder's network run over X, against naive loops. */
class ForwardModelTest {
  private static final int N = 41;
  private static final int[] SIZES = {5, 7, 4, 3};

  @TempDir
  static Path inputs;

  private static SparkSession spark;
  private static double[][] x;
  private static double[] theta;

  /** X (41 x 5) and a model folder of 5-7(sigmoid)-4(sigmoid)-3 with random θ. */
  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("ForwardModelTest");
    Random random = new Random(16);
    x = NaiveOracle.gaussian(random, N, SIZES[0]);
    Network network = Network.of(SIZES[0], new int[] {SIZES[1], SIZES[2]}, Activation.SIGMOID,
        SIZES[3]);
    theta = NaiveOracle.gaussian(random, network.numParameters());
    npy(inputs.resolve("X.npy"), x);
    ModelDir.write(inputs.resolve("model").toString(), new ModelDir.Model(Theta.of(network, theta),
        Loss.SOFTMAX_CE, DType.FLOAT64), false, new Configuration());
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun forward(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("forward",
        "--x", inputs.resolve("X.npy").toString(), "--out", out.toString(),
        "--master", "local[2]"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  @Test
  void writesTheNetworksLogitsOrTheirSoftmax(@TempDir Path dir) {
    NaiveNetwork naive = new NaiveNetwork(SIZES, "sigmoid");
    for (boolean softmax : new boolean[] {false, true}) {
      Path out = dir.resolve(softmax ? "p" : "y");
      CliRun run = softmax ? forward(out, "--model", inputs.resolve("model").toString(),
          "--softmax") : forward(out, "--model", inputs.resolve("model").toString());
      assertThat(run.exitCode()).as("stderr:%n%s", run.err()).isZero();
      assertThat(run.out()).contains("network 5-7(sigmoid)-4(sigmoid)-3");
      double[][] y = readMatrix(out.resolve("Y.npy"));
      assertThat(y.length).isEqualTo(N);
      for (int r = 0; r < N; r++) {
        double[] expected = naive.output(theta, x[r]);
        if (softmax) {
          double sum = 0;
          for (double v : expected) {
            sum += Math.exp(v);
          }
          for (int j = 0; j < expected.length; j++) {
            expected[j] = Math.exp(expected[j]) / sum;
          }
        }
        for (int j = 0; j < SIZES[3]; j++) {
          assertThat(y[r][j]).as("row %d column %d", r, j)
              .isCloseTo(expected[j], within(1e-12 * (1 + Math.abs(expected[j]))));
        }
      }
      JsonNode report = report(out);
      assertThat(report.get("network").asText()).isEqualTo("5-7(sigmoid)-4(sigmoid)-3");
      assertThat(report.get("softmax").asBoolean()).isEqualTo(softmax);
      assertThat(report.get("inputs").get("model").asText())
          .isEqualTo(inputs.resolve("model").toString());
    }
  }

  @Test
  void float32RunsTheNetworkInSgemm(@TempDir Path dir) {
    Path out = dir.resolve("y32");
    CliRun run = forward(out, "--model", inputs.resolve("model").toString(), "--dtype",
        "float32");
    assertThat(run.exitCode()).as("stderr:%n%s", run.err()).isZero();
    NaiveNetwork naive = new NaiveNetwork(SIZES, "sigmoid");
    double[][] y = readMatrix(out.resolve("Y.npy"));
    for (int r = 0; r < N; r++) {
      double[] expected = naive.output(theta, x[r]);
      for (int j = 0; j < SIZES[3]; j++) {
        assertThat(y[r][j]).as("row %d column %d", r, j)
            .isCloseTo(expected[j], within(NaiveOracle.F32 * (1 + Math.abs(expected[j]))));
      }
    }
    assertThat(report(out).get("dtype").asText()).isEqualTo("float32");
  }

  @Test
  void aBadModelFolderIsRefusedWithExitCode2(@TempDir Path dir) throws Exception {
    CliRun missing = forward(dir.resolve("a"), "--model", dir.resolve("nowhere").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("nowhere: no such folder").doesNotContain("\tat ");

    Path damaged = dir.resolve("damaged");
    Files.createDirectories(damaged);
    Files.writeString(damaged.resolve("model.json"), "{\"format\": \"spark-gemm-model\"}");
    CliRun bad = forward(dir.resolve("b"), "--model", damaged.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("model.json").contains("damaged").doesNotContain("\tat ");

    Path narrow = dir.resolve("narrow");
    ModelDir.write(narrow.toString(), new ModelDir.Model(
        Theta.of(Network.linear(4, 2), new double[10]), null, DType.FLOAT64), false,
        new Configuration());
    CliRun wrongWidth = forward(dir.resolve("c"), "--model", narrow.toString());
    assertThat(wrongWidth.exitCode()).isEqualTo(2);
    assertThat(wrongWidth.err()).contains("4").contains("5").doesNotContain("\tat ");

    CliRun both = forward(dir.resolve("d"), "--model", inputs.resolve("model").toString(),
        "--w", inputs.resolve("X.npy").toString());
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("--model gives the network and its W and b; drop --w");
    for (String name : new String[] {"a", "b", "c", "d"}) {
      assertThat(dir.resolve(name)).doesNotExist();
    }
  }
}
