package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static io.sparkgemm.cli.E2eFiles.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train with --hidden end to end on XOR-like data (class = whether x₀·x₁ &gt; 0, two noise
 * features): a relu network with adam against the linear model, scored by a naive forward
 * pass written here (loops, max(0, ·), argmax) on held-out rows; resumed minibatch runs against
 * uninterrupted ones, bit for bit; and the flags refused before Spark starts.
 */
class NetworkTrainTest {
  private static final int N = 800;
  private static final int D = 4;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static double[][] test;
  private static int[] testLabels;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("NetworkTrainTest");
    Random random = new Random(16);
    double[][] x = new double[N][D];
    int[] labels = new int[N];
    test = new double[400][D];
    testLabels = new int[400];
    fill(random, x, labels);
    fill(random, test, testLabels);
    npy(dir.resolve("X.npy"), x);
    E2eFiles.npyInts(dir.resolve("L.npy"), labels);
    double[] targets = new double[N];
    for (int r = 0; r < N; r++) {
      targets[r] = x[r][0] * x[r][1];
    }
    npy(dir.resolve("T.npy"), targets);
  }

  private static void fill(Random random, double[][] x, int[] labels) {
    for (int r = 0; r < x.length; r++) {
      for (int c = 0; c < D; c++) {
        x[r][c] = 2 * random.nextDouble() - 1;
      }
      labels[r] = x[r][0] * x[r][1] > 0 ? 1 : 0;
    }
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x",
        dir.resolve("X.npy").toString(), "--labels", dir.resolve("L.npy").toString(),
        "--master", "local[2]", "--out", out.toString()));
    args.addAll(List.of(extra));
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    return run;
  }

  /** Held-out accuracy of the network in {@code model} (layers W0.npy, ... or W.npy). */
  private static double accuracy(Path model, int layers) {
    int correct = 0;
    for (int r = 0; r < test.length; r++) {
      double[] a = logits(model, layers, test[r]);
      int predicted = a[1] > a[0] ? 1 : 0;
      correct += predicted == testLabels[r] ? 1 : 0;
    }
    return (double) correct / test.length;
  }

  /** The relu network's outputs for one row, by loops over the model's .npy files. */
  private static double[] logits(Path model, int layers, double[] row) {
    double[] a = row;
    for (int l = 0; l < layers; l++) {
      String suffix = layers == 1 ? "" : String.valueOf(l);
      double[][] w = readMatrix(model.resolve("W" + suffix + ".npy"));
      double[] b = readVector(model.resolve("b" + suffix + ".npy"));
      double[] z = new double[b.length];
      for (int j = 0; j < b.length; j++) {
        z[j] = b[j];
        for (int i = 0; i < a.length; i++) {
          z[j] += a[i] * w[i][j];
        }
        if (l < layers - 1) {
          z[j] = Math.max(0, z[j]);
        }
      }
      a = z;
    }
    return a;
  }

  @Test
  void evaluatePrintsTheHeldOutLossAndAccuracyOfATrainedModel() {
    Path net = dir.resolve("net-for-evaluate");
    train(net, "--hidden", "8", "--optimizer", "adam", "--batch-rows", "200", "--epochs", "5",
        "--lr", "0.03");
    npy(dir.resolve("test-X.npy"), test);
    E2eFiles.npyInts(dir.resolve("test-L.npy"), testLabels);
    CliRun run = CliRun.of("evaluate", "--model", net.toString(), "--x",
        dir.resolve("test-X.npy").toString(), "--labels", dir.resolve("test-L.npy").toString(),
        "--master", "local[2]");
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    double loss = 0;
    int correct = 0;
    for (int r = 0; r < test.length; r++) {
      double[] y = logits(net, 2, test[r]);
      double max = Math.max(y[0], y[1]);
      loss += max + Math.log(Math.exp(y[0] - max) + Math.exp(y[1] - max)) - y[testLabels[r]];
      correct += (y[1] > y[0] ? 1 : 0) == testLabels[r] ? 1 : 0;
    }
    Matcher m = Pattern.compile("softmax-ce (\\S+), accuracy (\\S+) \\((\\d+) correct\\)")
        .matcher(run.out());
    assertThat(m.find()).as("evaluate's line in:%n%s", run.out()).isTrue();
    assertThat(run.out()).contains("model 4-8(relu)-2 on ").contains(": 400 rows, ");
    assertThat(Integer.parseInt(m.group(3))).isEqualTo(correct);
    assertThat(Double.parseDouble(m.group(2))).isCloseTo(correct / 400.0, within(1e-4));
    assertThat(Double.parseDouble(m.group(1))).isCloseTo(loss / test.length,
        withinPercentage(1e-3));

    CliRun missing = CliRun.of("evaluate", "--model", dir.resolve("no-model").toString(),
        "--x", dir.resolve("test-X.npy").toString(), "--labels",
        dir.resolve("test-L.npy").toString(), "--master", "local[2]");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no-model").doesNotContain("\tat ");
  }

  private static List<String> names(Path folder) {
    return Stream.of(new File(folder.toString()).list()).filter(n -> !n.startsWith("."))
        .toList();
  }

  @Test
  void aReluNetworkWithAdamBeatsTheLinearModel() {
    Path linear = dir.resolve("linear");
    train(linear, "--max-iter", "50");
    Path net = dir.resolve("net");
    CliRun run = train(net, "--hidden", "16", "--activation", "relu", "--optimizer", "adam",
        "--batch-rows", "100", "--epochs", "25", "--lr", "0.03", "--seed", "3",
        "--log-every", "50");
    assertThat(run.out()).contains("network 4-16(relu)-2 (114 parameters)")
        .contains("epoch   1  step      8  loss ").contains("epoch  25  step    200  loss ")
        .contains("  step     50  (epoch 7)").contains("rows/s").contains("stopped: epochs done");
    assertThat(names(net)).containsExactlyInAnyOrder("W0.npy", "b0.npy", "W1.npy", "b1.npy",
        "model.json", "loss.png", "report.json", "_SPARK_GEMM");
    assertThat(names(linear)).containsExactlyInAnyOrder("W.npy", "b.npy", "model.json",
        "loss.png", "report.json", "_SPARK_GEMM");
    JsonNode report = report(net);
    assertThat(report.get("network").get("describe").asText()).isEqualTo("4-16(relu)-2");
    assertThat(report.get("optimizer").asText()).isEqualTo("adam");
    assertThat(report.get("settings").get("batchRows").asInt()).isEqualTo(100);
    assertThat(report.get("settings").get("beta2").asDouble()).isEqualTo(0.999);
    assertThat(report.get("epochs").asInt()).isEqualTo(25);
    assertThat(report.get("epochHistory")).hasSize(25);
    assertThat(report.get("epochHistory").get(0).get("rows").asLong()).isEqualTo(N);
    assertThat(report.get("rowsPerSecond").asDouble()).isPositive();
    double netLoss = report.get("epochHistory").get(24).get("loss").asDouble();
    double linearLoss = report(linear).get("finalLoss").asDouble();
    double netAccuracy = accuracy(net, 2);
    double linearAccuracy = accuracy(linear, 1);
    // XOR: no line separates it, so the linear model stays near chance (ln 2 = 0.693)
    assertThat(linearAccuracy).as("linear accuracy").isLessThan(0.65);
    assertThat(linearLoss).isGreaterThan(0.6);
    assertThat(netAccuracy).as("network accuracy (linear %s)", linearAccuracy)
        .isGreaterThan(0.9);
    assertThat(netLoss).as("network loss (linear %s)", linearLoss).isLessThan(0.3);
  }

  /**
   * --standardize on features far from unit scale (x·100 + 50): trained in standardised
   * coordinates, the model written runs on the raw rows (checked by loops on raw test rows).
   */
  @Test
  void aStandardisedNetworkTrainsOnUnscaledFeaturesAndRunsOnRawRows() {
    double[][] scaled = new double[N][D];
    double[][] x = readMatrix(dir.resolve("X.npy"));
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < D; c++) {
        scaled[r][c] = x[r][c] * 100 + 50;
      }
    }
    npy(dir.resolve("X-scaled.npy"), scaled);
    Path net = dir.resolve("net-standardized");
    CliRun run = CliRun.of("train", "--loss", "softmax-ce", "--x",
        dir.resolve("X-scaled.npy").toString(), "--labels", dir.resolve("L.npy").toString(),
        "--master", "local[2]", "--out", net.toString(), "--hidden", "16", "--optimizer",
        "adam", "--batch-rows", "100", "--epochs", "25", "--lr", "0.03", "--seed", "3",
        "--standardize");
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    assertThat(report(net).get("standardize").asBoolean()).isTrue();
    int correct = 0;
    for (int r = 0; r < test.length; r++) {
      double[] row = new double[D];
      for (int c = 0; c < D; c++) {
        row[c] = test[r][c] * 100 + 50;
      }
      double[] y = logits(net, 2, row);
      correct += (y[1] > y[0] ? 1 : 0) == testLabels[r] ? 1 : 0;
    }
    assertThat(correct / (double) test.length).as("held-out accuracy on raw rows")
        .isGreaterThan(0.9);

    for (String[] extra : List.of(new String[] {"--resume", net.toString()},
        new String[] {"--w", net.resolve("W0.npy").toString()})) {
      List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x",
          dir.resolve("X-scaled.npy").toString(), "--labels", dir.resolve("L.npy").toString(),
          "--master", "local[2]", "--out", dir.resolve("refused").toString(), "--standardize"));
      args.addAll(List.of(extra));
      CliRun refused = CliRun.of(args.toArray(new String[0]));
      assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
      assertThat(refused.err()).contains("--standardize").contains(extra[0])
          .doesNotContain("\tat ");
    }
  }

  @Test
  void fullBatchLbfgsTrainsANetworkToo() {
    Path out = dir.resolve("lbfgs-net");
    CliRun run = train(out, "--hidden", "8", "--activation", "tanh", "--max-iter", "40");
    assertThat(run.out()).contains("iter   40");
    JsonNode history = report(out).get("history");
    assertThat(history.get(history.size() - 1).get("loss").asDouble())
        .isLessThan(0.5 * history.get(0).get("loss").asDouble());
  }

  private static long[] bits(double[][] m) {
    return Stream.of(m).flatMapToDouble(Arrays::stream)
        .mapToLong(Double::doubleToLongBits).toArray();
  }

  /**
   * 800 rows in 64-row steps: 13 a epoch. The first run stops after 2 epochs with checkpoints
   * every 5 steps (the newest, step 25, is mid-epoch 2); resumed to 4 epochs it ends where a run
   * of 4 epochs straight ends, bit for bit, for adam and for sgd with Nesterov momentum.
   */
  @Test
  void aResumedMinibatchRunEqualsAnUninterruptedOneBitForBit() {
    String[][] optimizers = {
        {"--optimizer", "adam", "--lr", "0.01", "--weight-decay", "0.01", "--warmup-steps", "5",
            "--lr-schedule", "step", "--lr-step-every", "20", "--lr-gamma", "0.5"},
        {"--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.9", "--nesterov",
            "--weight-decay", "0.001"}};
    int i = 0;
    for (String[] optimizer : optimizers) {
      List<String> common = new ArrayList<>(List.of("--hidden", "8,4", "--batch-rows", "64",
          "--seed", "11"));
      common.addAll(List.of(optimizer));
      Path straight = dir.resolve("straight-" + i);
      train(straight, with(common, "--epochs", "4"));
      Path first = dir.resolve("first-" + i);
      Path checkpoints = dir.resolve("ckpt-" + i);
      train(first, with(common, "--epochs", "2", "--checkpoint-every", "5", "--checkpoint-dir",
          checkpoints.toString()));
      assertThat(E2eFiles.namesStartingWith(checkpoints, "iter-"))
          .containsExactlyInAnyOrder("iter-00000020", "iter-00000025");
      Path resumed = dir.resolve("resumed-" + i);
      CliRun run = train(resumed, with(common, "--epochs", "4", "--resume",
          checkpoints.toString()));
      assertThat(run.out()).contains("epoch   2  step     26").doesNotContain("epoch   1 ");
      for (String file : new String[] {"W0.npy", "b0.npy", "W1.npy", "b1.npy", "W2.npy",
          "b2.npy"}) {
        double[][] want = file.startsWith("W") ? readMatrix(straight.resolve(file))
            : new double[][] {readVector(straight.resolve(file))};
        double[][] got = file.startsWith("W") ? readMatrix(resumed.resolve(file))
            : new double[][] {readVector(resumed.resolve(file))};
        assertArrayEquals(bits(want), bits(got), optimizer[1] + " " + file);
      }
      JsonNode a = report(straight).get("epochHistory");
      JsonNode b = report(resumed).get("epochHistory");
      assertThat(b).hasSize(4);
      for (int e = 0; e < 4; e++) {
        assertThat(b.get(e).get("objective").asDouble()).as("epoch %d", e + 1)
            .isEqualTo(a.get(e).get("objective").asDouble());
      }
      i++;
    }
  }

  @Test
  void aDivergingMinibatchRunStopsWithTheStepAndWritesNothing() {
    Path out = dir.resolve("diverged");
    CliRun run = CliRun.of("train", "--loss", "mse", "--labels", dir.resolve("T.npy").toString(),
        "--x", dir.resolve("X.npy").toString(), "--master", "local[2]", "--out", out.toString(),
        "--hidden", "8", "--optimizer", "sgd", "--lr", "1e6", "--batch-rows", "100");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).containsPattern("Training diverged at (iteration|step) [0-9]+"
        + "( \\(epoch 1\\))?: the (loss|gradient) ");
    assertThat(out).doesNotExist();
  }

  /** Exit code 2 and one line naming the flag, before any Spark job. */
  @Test
  void badFlagsAreRefusedWithExitCode2() {
    String[][] cases = {
        {"--hidden 0", "--hidden expects layer widths >= 1 separated by commas (e.g. 256,128), "
            + "got '0'"},
        {"--hidden a,b", "got 'a,b' ('a' is not a width)"},
        {"--hidden 8,-1", "('-1' is not a width)"},
        {"--batch-rows 64", "--batch-rows is for --optimizer sgd or adam; lbfgs trains "
            + "full-batch (all rows every iteration)"},
        {"--optimizer gd --epochs 3", "--epochs is for --optimizer sgd or adam; gd trains"},
        {"--optimizer adam --beta1 1", "--beta1 must be in [0, 1), got 1.0"},
        {"--optimizer adam --beta2 -0.1", "--beta2 must be in [0, 1), got -0.1"},
        {"--optimizer adam --epsilon 0", "--epsilon must be > 0, got 0.0"},
        {"--optimizer sgd --beta1 0.5", "--beta1 is for --optimizer adam"},
        {"--optimizer adam --momentum 0.9", "--momentum is for gd and sgd; adam's is --beta1"},
        {"--optimizer sgd --batch-rows 0", "--batch-rows must be >= 1, got 0"},
        {"--optimizer sgd --epochs -2", "--epochs must be >= 1, got -2"},
        {"--optimizer sgd --max-iter 5", "--max-iter is for gd and lbfgs; sgd stops after "
            + "--epochs"},
        {"--optimizer sgd --lr-schedule step", "--lr-step-every must be >= 1 for the step "
            + "schedule, got 0"},
        {"--optimizer sgd --lr-gamma 0.5", "--lr-gamma is for --lr-schedule step"},
        {"--optimizer sgd --lr-schedule cosine --lr-min 5", "--lr-min must be in [0, --lr "
            + "= 0.1], got 5.0"},
        {"--optimizer sgd --lr-schedule linear", "Unknown --lr-schedule 'linear': expected "
            + "constant, step or cosine"},
        {"--optimizer sgd --warmup-steps -1", "--warmup-steps must be >= 0, got -1"},
        {"--optimizer sgd --weight-decay -1", "--weight-decay must be >= 0, got -1.0"},
        {"--optimizer momentum", "Unknown --optimizer 'momentum': expected gd, lbfgs, sgd or "
            + "adam"},
        {"--activation relu", "--activation needs --hidden (the linear model has no "
            + "activation)"},
        {"--hidden 8 --activation swish", "Unknown --activation 'swish': expected identity, "
            + "relu, leaky-relu, tanh, sigmoid or gelu"},
        {"--hidden 8 --init orthogonal", "--init orthogonal is for the linear model; with "
            + "--hidden give auto, he, xavier, zeros"},
        {"--hidden 8 --init magic", "Unknown --init 'magic'"},
        {"--log-every 5", "--log-every is for --optimizer sgd or adam"},
        {"--resume " + dir.resolve("nowhere"), "no checkpoint (iter-NNNNNNNN folder) found"}};
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x",
          dir.resolve("X.npy").toString(), "--labels", dir.resolve("L.npy").toString(),
          "--master", "local[2]", "--out", dir.resolve("never").toString()));
      args.addAll(List.of(c[0].split(" ")));
      CliRun run;
      try (JobCounter counter = new JobCounter(spark)) {
        run = CliRun.of(args.toArray(new String[0]));
        assertThat(counter.jobs()).as(c[0]).isZero();
      }
      assertThat(run.exitCode()).as(c[0] + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).as(c[0]).contains(c[1]).doesNotContain("\tat ");
      assertThat(dir.resolve("never")).doesNotExist();
    }
  }

  /** A checkpoint resumed with another network, batch size or seed is refused. */
  @Test
  void aResumeWithOtherSettingsIsRefused() {
    Path checkpoints = dir.resolve("ckpt-mismatch");
    train(dir.resolve("mismatch"), "--hidden", "4", "--optimizer", "sgd", "--batch-rows", "200",
        "--epochs", "1", "--checkpoint-every", "2", "--checkpoint-dir", checkpoints.toString());
    String[][] cases = {
        {"--hidden 5 --optimizer sgd --batch-rows 200", "the checkpoint holds the network "
            + "4-4(relu)-2, not the network 4-5(relu)-2"},
        {"--optimizer sgd --batch-rows 200", "not the linear model 4-2"},
        {"--hidden 4 --optimizer sgd --batch-rows 100", "the checkpoint was written with "
            + "--batch-rows 200 --seed 0, not --batch-rows 100 --seed 0"},
        {"--hidden 4 --optimizer adam --batch-rows 200", "the checkpoint was written by "
            + "--optimizer sgd, not adam"}};
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x",
          dir.resolve("X.npy").toString(), "--labels", dir.resolve("L.npy").toString(),
          "--master", "local[2]", "--out", dir.resolve("never").toString(), "--resume",
          checkpoints.toString()));
      args.addAll(List.of(c[0].split(" ")));
      CliRun run = CliRun.of(args.toArray(new String[0]));
      assertThat(run.exitCode()).as(c[0] + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).as(c[0]).contains(c[1]);
    }
  }

  private static String[] with(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
