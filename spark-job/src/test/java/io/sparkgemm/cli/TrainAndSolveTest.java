package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static io.sparkgemm.cli.E2eFiles.report;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train and solve against independent oracles: MLlib's own LogisticRegression and
 * LinearRegression on the same seeded data (conventions mapped as documented in the README),
 * the closed-form optimum, and the naive objective.
 */
class TrainAndSolveTest {
  private static final int N = 600;
  private static final int D = 6;
  private static final int K = 3;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static double[][] x;
  private static double[][] heldOut;
  private static int[] labels;
  private static double[][] targets;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("TrainAndSolveTest");
    Random random = new Random(20251126L);
    x = NaiveOracle.gaussian(random, N, D);
    heldOut = NaiveOracle.gaussian(random, 200, D);
    // Features with different scales and means, so the conventions (standardisation off,
    // intercept unpenalised) matter.
    for (double[][] m : new double[][][] {x, heldOut}) {
      for (double[] row : m) {
        for (int c = 0; c < D; c++) {
          row[c] = row[c] * (0.5 + c) + 0.3 * c;
        }
      }
    }
    double[][] wTrue = NaiveOracle.gaussian(random, D, K);
    double[] bTrue = NaiveOracle.gaussian(random, K);
    double[][] y = NaiveOracle.forward(x, wTrue, bTrue);
    labels = new int[N];
    targets = new double[N][K];
    for (int r = 0; r < N; r++) {
      // Labels drawn from softmax(y): overlapping classes, a finite optimum even without reg.
      double max = Double.NEGATIVE_INFINITY;
      for (double v : y[r]) {
        max = Math.max(max, v);
      }
      double[] p = new double[K];
      double sum = 0;
      for (int j = 0; j < K; j++) {
        p[j] = Math.exp(y[r][j] - max);
        sum += p[j];
      }
      double u = random.nextDouble() * sum;
      int c = 0;
      while (c < K - 1 && u > p[c]) {
        u -= p[c];
        c++;
      }
      labels[r] = c;
      for (int j = 0; j < K; j++) {
        targets[r][j] = y[r][j] * (1 + j) + 0.5 * random.nextGaussian();
      }
    }
    npy(dir.resolve("X.npy"), x);
    npy(dir.resolve("T.npy"), targets);
    E2eFiles.npyInts(dir.resolve("L.npy"), labels);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--master", "local[2]", "--x", dir.resolve("X.npy").toString()));
    CliRun run = CliRun.of(all.toArray(new String[0]));
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    return run;
  }

  private static CliRun train(Path out, String loss, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--loss", loss, "--labels",
        dir.resolve(loss.equals("mse") ? "T.npy" : "L.npy").toString(), "--out", out.toString(),
        "--partitions", "3", "--block-rows", "50"));
    if (!List.of(extra).contains("--resume")) {
      args.addAll(List.of("--init", "xavier", "--outputs", String.valueOf(K), "--seed", "7"));
    }
    args.addAll(List.of(extra));
    return run(args.toArray(new String[0]));
  }

  /** mean CE of softmax(XW + b) + (reg/2)·||W||², computed naively. */
  private static double softmaxObjective(double[][] w, double[] b, double reg) {
    double loss = NaiveOracle.softmaxCrossEntropy(NaiveOracle.forward(x, w, b), labels).loss();
    return loss + 0.5 * reg * squares(w);
  }

  private static double squares(double[][] w) {
    double s = 0;
    for (double[] row : w) {
      for (double v : row) {
        s += v * v;
      }
    }
    return s;
  }

  private static int[] argmax(double[][] y) {
    int[] out = new int[y.length];
    for (int r = 0; r < y.length; r++) {
      for (int j = 1; j < y[r].length; j++) {
        if (y[r][j] > y[r][out[r]]) {
          out[r] = j;
        }
      }
    }
    return out;
  }

  private static Dataset<Row> frame(double[][] features, double[] label) {
    StructType schema = new StructType().add("features", new VectorUDT(), false)
        .add("label", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < features.length; r++) {
      rows.add(RowFactory.create(Vectors.dense(features[r]), label == null ? 0.0 : label[r]));
    }
    return spark.createDataFrame(rows, schema);
  }

  @Test
  void softmaxLbfgsReachesMllibLogisticRegressionOptimum() {
    double reg = 0.02;
    Path out = dir.resolve("softmax-lbfgs");
    CliRun run = train(out, "softmax-ce", "--optimizer", "lbfgs", "--reg", String.valueOf(reg),
        "--max-iter", "300", "--tol", "1e-12");
    double[][] w = readMatrix(out.resolve("W.npy"));
    double[] b = readVector(out.resolve("b.npy"));

    double[] label = new double[N];
    for (int r = 0; r < N; r++) {
      label[r] = labels[r];
    }
    // MLlib: mean loss + regParam·(α||W||₁ + (1−α)/2·||W||²), intercepts unpenalised;
    // with standardization off the penalty is on the original-scale coefficients.
    LogisticRegressionModel mllib = new LogisticRegression().setFamily("multinomial")
        .setRegParam(reg).setElasticNetParam(0.0).setStandardization(false)
        .setFitIntercept(true).setMaxIter(300).setTol(1e-12).fit(frame(x, label));
    Matrix coefficients = mllib.coefficientMatrix(); // k x d
    double[][] wMllib = new double[D][K];
    double[] bMllib = mllib.interceptVector().toArray();
    for (int i = 0; i < D; i++) {
      for (int j = 0; j < K; j++) {
        wMllib[i][j] = coefficients.apply(j, i);
      }
    }
    double ours = softmaxObjective(w, b, reg);
    double theirs = softmaxObjective(wMllib, bMllib, reg);
    assertThat(Math.abs(ours - theirs) / Math.abs(theirs)).as("objective %s vs MLlib %s", ours,
        theirs).isLessThanOrEqualTo(1e-6);
    assertClose("W vs MLlib", w, wMllib, 1e-3);

    int[] predicted = argmax(NaiveOracle.forward(heldOut, w, b));
    List<Row> mllibPredictions = mllib.transform(frame(heldOut, null)).select("prediction")
        .collectAsList();
    for (int r = 0; r < heldOut.length; r++) {
      assertThat(predicted[r]).as("held-out row %d", r)
          .isEqualTo((int) mllibPredictions.get(r).getDouble(0));
    }

    JsonNode report = report(out);
    assertThat(report.get("stopReason").asText()).startsWith("converged");
    assertThat(report.get("finalObjective").asDouble()).isCloseTo(ours,
        Offset.offset(1e-10));
    assertThat(report.get("history").size()).isEqualTo(report.get("iterations").asInt() + 1);
    assertThat(report.get("conditionNumberW").get("start").asDouble()).isGreaterThan(1);
    assertThat(run.out()).contains("iter    0  loss ").contains("stopped: converged");
  }

  @Test
  void softmaxGradientDescentWithMomentumApproachesTheLbfgsOptimum() throws Exception {
    double reg = 0.02;
    Path lbfgs = dir.resolve("softmax-ref");
    train(lbfgs, "softmax-ce", "--reg", String.valueOf(reg), "--max-iter", "300", "--tol",
        "1e-12");
    double optimum = softmaxObjective(readMatrix(lbfgs.resolve("W.npy")),
        readVector(lbfgs.resolve("b.npy")), reg);
    for (String[] variant : new String[][] {{"--momentum", "0.9"},
        {"--momentum", "0.9", "--nesterov"}}) {
      Path out = dir.resolve("softmax-gd" + variant.length);
      List<String> args = new ArrayList<>(List.of("--optimizer", "gd", "--lr", "0.05", "--reg",
          String.valueOf(reg), "--max-iter", "150", "--tol", "0"));
      args.addAll(List.of(variant));
      train(out, "softmax-ce", args.toArray(new String[0]));
      double reached = softmaxObjective(readMatrix(out.resolve("W.npy")),
          readVector(out.resolve("b.npy")), reg);
      JsonNode history = report(out).get("history");
      assertThat(history.size()).isEqualTo(151);
      assertThat(history.get(150).get("objective").asDouble())
          .isLessThan(history.get(0).get("objective").asDouble());
      assertThat((reached - optimum) / optimum).as("gd %s", List.of(variant))
          .isBetween(0.0, 5e-3);
    }
    byte[] png = Files.readAllBytes(lbfgs.resolve("loss.png"));
    assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
  }

  @Test
  void solveMatchesMllibLinearRegressionPerColumnAndTrainsOptimum() {
    double reg = 0.1;
    Path solved = dir.resolve("solve");
    CliRun run = run("solve", "--labels", dir.resolve("T.npy").toString(), "--reg",
        String.valueOf(reg), "--out", solved.toString(), "--partitions", "3", "--block-rows",
        "50");
    double[][] w = readMatrix(solved.resolve("W.npy"));
    double[] b = readVector(solved.resolve("b.npy"));
    JsonNode report = report(solved);
    assertThat(report.get("method").asText()).isEqualTo("cholesky");
    assertThat(report.get("normalEquationResidual").asDouble()).isLessThan(1e-12);
    assertThat(report.get("objectiveGradientNorm").asDouble()).isLessThan(1e-9);
    assertThat(run.out()).contains("cholesky");

    assertMatchesMllibLinearRegression(w, b, reg);

    // train --loss mse reaches the same optimum, with L-BFGS and with Nesterov momentum.
    Path lbfgs = dir.resolve("mse-lbfgs");
    train(lbfgs, "mse", "--reg", String.valueOf(reg), "--max-iter", "200", "--tol", "1e-14");
    assertClose("train lbfgs W vs solve", readMatrix(lbfgs.resolve("W.npy")), w, 1e-6);
    assertClose("train lbfgs b vs solve", readVector(lbfgs.resolve("b.npy")), b, 1e-6);
    Path gd = dir.resolve("mse-gd");
    train(gd, "mse", "--optimizer", "gd", "--lr", "0.02", "--momentum", "0.9", "--nesterov",
        "--reg", String.valueOf(reg), "--max-iter", "250", "--tol", "1e-12");
    assertClose("train gd W vs solve", readMatrix(gd.resolve("W.npy")), w, 1e-5);
  }

  /** W and b against MLlib's LinearRegression, fitted per target column. */
  private static void assertMatchesMllibLinearRegression(double[][] w, double[] b, double reg) {
    // MLlib's normal solver standardises the label internally, which turns its L2 term into
    // (regParam / σ_j)/2·||w_j||² on the original scale (σ_j: population std of column j), next
    // to (1/2n)·||residual||². Ours is (1/n)·||residual||² + (reg/2)·||W||², so column j
    // matches regParam_j = reg·σ_j / 2.
    for (int j = 0; j < K; j++) {
      double[] column = new double[N];
      double mean = 0;
      for (int r = 0; r < N; r++) {
        column[r] = targets[r][j];
        mean += column[r] / N;
      }
      double variance = 0;
      for (double v : column) {
        variance += (v - mean) * (v - mean) / N;
      }
      double regParam = reg * Math.sqrt(variance) / 2;
      LinearRegressionModel mllib = new LinearRegression().setSolver("normal")
          .setRegParam(regParam).setElasticNetParam(0.0).setStandardization(false)
          .setFitIntercept(true).fit(frame(x, column));
      double[] coefficients = mllib.coefficients().toArray();
      double[] ours = new double[D];
      for (int i = 0; i < D; i++) {
        ours[i] = w[i][j];
      }
      assertClose("column " + j + " coefficients vs MLlib", ours, coefficients, 1e-8);
      assertClose("column " + j + " intercept vs MLlib", new double[] {b[j]},
          new double[] {mllib.intercept()}, 1e-8);
    }
  }

  /** solve takes the shared input options: --deterministic, --storage-level, ... (issue 14). */
  @Test
  void solveTakesTheSharedInputOptions() {
    double reg = 0.1;
    String t = dir.resolve("T.npy").toString();
    // 600 rows in blocks of 10: 4 chunks of 16 blocks, spread over 3 or 2 partitions.
    Path three = dir.resolve("solve-deterministic-3");
    run("solve", "--labels", t, "--reg", String.valueOf(reg), "--out", three.toString(),
        "--partitions", "3", "--block-rows", "10", "--deterministic", "--storage-level",
        "DISK_ONLY", "--allow-nonfinite");
    double[][] w = readMatrix(three.resolve("W.npy"));
    double[] b = readVector(three.resolve("b.npy"));
    assertMatchesMllibLinearRegression(w, b, reg);
    assertThat(report(three).get("partitions").asInt()).isEqualTo(3);
    Path two = dir.resolve("solve-deterministic-2");
    run("solve", "--labels", t, "--reg", String.valueOf(reg), "--out", two.toString(),
        "--partitions", "2", "--block-rows", "10", "--deterministic");
    assertThat(report(two).get("partitions").asInt()).isEqualTo(2);
    assertThat(readMatrix(two.resolve("W.npy"))).as("W, 2 vs 3 partitions").isEqualTo(w);
    assertThat(readVector(two.resolve("b.npy"))).as("b, 2 vs 3 partitions").isEqualTo(b);
  }

  /**
   * Without --w or --init, train starts from W = 0, b = 0 and takes k from the labels (largest
   * class id + 1, or the column's numValues) or the targets' width, as MLlib does (issue 14).
   */
  @Test
  void trainWithoutWeightsStartsFromZerosWithKFromTheLabels() {
    String zeros = npy(dir.resolve("W-zeros.npy"), new double[D][K]).toString();
    for (String loss : List.of("softmax-ce", "mse")) {
      String labelsFile = dir.resolve(loss.equals("mse") ? "T.npy" : "L.npy").toString();
      Path counted = dir.resolve(loss + "-from-zeros");
      CliRun run = run("train", "--loss", loss, "--labels", labelsFile, "--out",
          counted.toString(), "--partitions", "3", "--block-rows", "50", "--max-iter", "5");
      assertThat(run.out()).contains(loss.equals("mse") ? "k = 3 from the targets' width"
          : "k = 3 from the class labels (largest id 2)");
      double[][] w = readMatrix(counted.resolve("W.npy"));
      assertThat(w).hasNumberOfRows(D);
      assertThat(w[0]).hasSize(K);
      assertThat(report(counted).get("inputs").get("w").asText()).isEqualTo("zeros");
      Path given = dir.resolve(loss + "-given-zeros");
      run("train", "--loss", loss, "--labels", labelsFile, "--out", given.toString(),
          "--partitions", "3", "--block-rows", "50", "--max-iter", "5", "--w", zeros);
      assertThat(w).as("%s: W from zeros vs --w zeros", loss)
          .isEqualTo(readMatrix(given.resolve("W.npy")));
      assertThat(readVector(counted.resolve("b.npy"))).as("%s: b", loss)
          .isEqualTo(readVector(given.resolve("b.npy")));
    }
  }

  /** k from a label column: its largest id (counted on the cached blocks) or its numValues. */
  @Test
  void trainCountsTheClassesOfALabelColumn() {
    double[] classIds = new double[N];
    for (int r = 0; r < N; r++) {
      classIds[r] = labels[r];
    }
    Path plain = dir.resolve("classes.parquet");
    frame(x, classIds).write().parquet(plain.toString());
    // A label column as StringIndexer leaves it: 5 classes, of which 3 occur.
    Path indexed = dir.resolve("classes-indexed.parquet");
    frame(x, classIds).withColumn("label", org.apache.spark.sql.functions.col("label").as(
        "label", NominalAttribute.defaultAttr().withName("label")
            .withNumValues(5).toMetadata())).write().parquet(indexed.toString());
    String[] common = {"train", "--loss", "softmax-ce", "--labels-col", "label",
        "--features-col", "features", "--partitions", "3", "--block-rows", "50", "--max-iter",
        "5", "--deterministic", "--master", "local[2]"};
    Path fromIds = dir.resolve("softmax-label-column");
    CliRun run = CliRun.of(concat(common, "--x", plain.toString(), "--out", fromIds.toString()));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("k = 3 from the class labels (largest id 2)");
    // The same rows as X.npy and L.npy with --w zeros: the same bits (--deterministic).
    Path given = dir.resolve("softmax-label-npy");
    run("train", "--loss", "softmax-ce", "--labels", dir.resolve("L.npy").toString(), "--out",
        given.toString(), "--partitions", "3", "--block-rows", "50", "--max-iter", "5",
        "--deterministic", "--w", npy(dir.resolve("W-zeros-3.npy"), new double[D][K])
            .toString());
    assertThat(readMatrix(fromIds.resolve("W.npy")))
        .isEqualTo(readMatrix(given.resolve("W.npy")));
    Path fromMetadata = dir.resolve("softmax-label-metadata");
    run = CliRun.of(concat(common, "--x", indexed.toString(), "--out", fromMetadata.toString()));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("k = 5 from the metadata of column 'label' (numValues)");
    assertThat(readMatrix(fromMetadata.resolve("W.npy"))[0]).hasSize(5);
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  @Test
  void objectiveGradientMatchesFiniteDifferences() {
    double reg = 0.3;
    Random random = new Random(11);
    for (String loss : List.of("mse", "softmax-ce")) {
      BlockedInput input = InputLoader.load(spark,
          InputSpec.builder(dir.resolve("X.npy").toString())
              .labels(loss.equals("mse") ? LabelKind.TARGETS : LabelKind.CLASSES, null,
                  dir.resolve(loss.equals("mse") ? "T.npy" : "L.npy").toString())
              .blockRows(64).partitions(3).build());
      try {
        Objective objective = new Objective(
            spark, input, Network.linear(D, K), TrainSpec.builder(
                Loss.parse(loss)).optimizer(
                Optimizer.GD).regParam(reg).maxIter(1).tol(0)
                .lbfgsMemory(1).build());
        double[] theta = new double[D * K + K];
        for (int i = 0; i < theta.length; i++) {
          theta[i] = 0.3 * random.nextGaussian();
        }
        double[] gradient = objective.evaluate(theta, 0).gradient();
        double h = 1e-5;
        // A few weights and one bias entry: central differences of the whole objective.
        for (int i : new int[] {0, 4, D * K - 1, D * K + 1}) {
          double[] plus = theta.clone();
          double[] minus = theta.clone();
          plus[i] += h;
          minus[i] -= h;
          double numeric = (objective.evaluate(plus, 0).value()
              - objective.evaluate(minus, 0).value()) / (2 * h);
          assertThat(gradient[i]).as("%s ∂f/∂θ[%d]", loss, i)
              .isCloseTo(numeric, Offset.offset(
                  1e-6 * (1 + Math.abs(numeric))));
        }
      } finally {
        input.release();
      }
    }
  }

  @Test
  void resumingFromACheckpointContinuesTheSameRun() {
    String[] gd = {"--optimizer", "gd", "--lr", "0.02", "--momentum", "0.5", "--max-iter",
        "10", "--tol", "0"};
    Path whole = dir.resolve("whole");
    train(whole, "mse", gd);
    Path first = dir.resolve("first");
    Path checkpoints = dir.resolve("ckpt");
    List<String> part = new ArrayList<>(List.of(gd));
    part.set(part.indexOf("10"), "6");
    part.addAll(List.of("--checkpoint-every", "3", "--checkpoint-dir", checkpoints.toString()));
    train(first, "mse", part.toArray(new String[0]));
    assertThat(E2eFiles.namesStartingWith(checkpoints, "iter-"))
        .containsExactlyInAnyOrder("iter-00000003", "iter-00000006");
    Path resumed = dir.resolve("resumed");
    List<String> more = new ArrayList<>(List.of(gd));
    more.addAll(List.of("--resume", checkpoints.toString()));
    CliRun run = train(resumed, "mse", more.toArray(new String[0]));
    assertThat(run.out()).contains("iter    7").doesNotContain("iter    6");
    assertClose("resumed W", readMatrix(resumed.resolve("W.npy")),
        readMatrix(whole.resolve("W.npy")), 1e-12);
    assertThat(report(resumed).get("history").size()).isEqualTo(11);
  }

  /** A damaged checkpoint is refused (exit 2, naming the file) before any Spark job. */
  @Test
  void aDamagedCheckpointIsRefusedBeforeAnyJob() throws Exception {
    Path checkpoints = dir.resolve("ckpt-to-damage");
    train(dir.resolve("ckpt-run"), "mse", "--optimizer", "gd", "--lr", "0.02", "--momentum",
        "0.5", "--max-iter", "2", "--tol", "0", "--checkpoint-every", "2", "--checkpoint-dir",
        checkpoints.toString());
    Path good = checkpoints.resolve("iter-00000002");
    ObjectMapper json =
        new ObjectMapper();
    Map<String, Consumer<Path>> damages =
        new LinkedHashMap<>();
    BiConsumer<Path, Consumer<
        ObjectNode>> editState = (c, edit) -> {
          try {
            ObjectNode state =
                (ObjectNode) json.readTree(
                    c.resolve("state.json").toFile());
            edit.accept(state);
            json.writeValue(c.resolve("state.json").toFile(), state);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    damages.put("state.json is damaged: history is missing",
        c -> editState.accept(c, state -> state.remove("history")));
    damages.put("state.json is damaged: iteration is the string \"2\"",
        c -> editState.accept(c, state -> state.put("iteration", "2")));
    damages.put("state.json is damaged: history[1].loss is the string \"low\"",
        c -> editState.accept(c, state -> ((ObjectNode)
            state.get("history").get(1)).put("loss", "low")));
    damages.put("velocity.npy is damaged: the velocity has 3 values but W (" + D + "x" + K
        + ") and b need " + (D * K + K), c -> npy(c.resolve("velocity.npy"), new double[3]));
    damages.put("b.npy is damaged: b has " + (K + 1) + " values",
        c -> npy(c.resolve("b.npy"), new double[K + 1]));
    damages.put("state.json is damaged: missing", c -> delete(c.resolve("state.json")));
    damages.put("state.json is damaged: not a JSON object",
        c -> write(c.resolve("state.json"), "{\"iteration\": 2, oops"));
    damages.put("W.npy", c -> write(c.resolve("W.npy"), "not an npy file"));
    int i = 0;
    for (var damage : damages.entrySet()) {
      Path root = dir.resolve("damaged-" + i++);
      Path copy = Files.createDirectories(root.resolve(good.getFileName()));
      try (var files = Files.list(good)) {
        for (Path f : files.toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
      damage.getValue().accept(copy);
      Path out = dir.resolve("never-resumed");
      CliRun run;
      try (JobCounter counter = new JobCounter(spark)) {
        run = CliRun.of("train", "--loss", "mse", "--labels", dir.resolve("T.npy").toString(),
            "--optimizer", "gd", "--lr", "0.02", "--momentum", "0.5", "--resume",
            root.toString(), "--out", out.toString(), "--master", "local[2]", "--x",
            dir.resolve("X.npy").toString());
        assertThat(counter.jobs()).as("Spark jobs before the refusal: %s", run.err()).isZero();
      }
      assertThat(run.exitCode()).as(damage.getKey() + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).startsWith("error: ").contains(copy.toString())
          .contains(damage.getKey()).doesNotContain("\tat ");
      assertThat(run.err().lines().count()).isEqualTo(1);
      assertThat(out).doesNotExist();
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void badTrainingOptionsAreRefusedBeforeAnyPass() {
    String x = dir.resolve("X.npy").toString();
    String labels = dir.resolve("T.npy").toString();
    String out = dir.resolve("never").toString();
    String[][] cases = {
        {"train", "--loss", "hinge", "--x", x, "--labels", labels, "--init", "xavier",
            "--outputs", "3", "--out", out},
        {"train", "--loss", "mse", "--x", x, "--labels", labels, "--init", "xavier",
            "--outputs", "3", "--optimizer", "gd", "--nesterov", "--out", out},
        {"train", "--loss", "mse", "--x", x, "--init", "xavier", "--outputs", "3", "--out", out},
        {"train", "--loss", "mse", "--x", x, "--labels", labels, "--init", "xavier",
            "--outputs", "3", "--resume", dir.toString(), "--out", out},
        {"solve", "--x", x, "--out", out},
        {"solve", "--x", x, "--labels", labels, "--reg", "-1", "--out", out}};
    String[] messages = {"Unknown --loss 'hinge'", "--nesterov needs --momentum > 0",
        "needs targets", "--resume takes W and b from the checkpoint",
        "solve needs the targets", "--reg must be >= 0"};
    for (int i = 0; i < cases.length; i++) {
      CliRun run = CliRun.of(cases[i]);
      assertThat(run.exitCode()).as("case %d: %s", i, run.err()).isEqualTo(2);
      assertThat(run.err()).contains(messages[i]);
    }
    assertThat(dir.resolve("never")).doesNotExist();
  }

  @Test
  void aDivergingRunStopsAtTheFirstNonFiniteLossAndWritesNothing() {
    Path out = dir.resolve("diverged");
    List<String> args = List.of("train", "--loss", "mse", "--labels",
        dir.resolve("T.npy").toString(), "--out", out.toString(), "--init", "xavier",
        "--outputs", String.valueOf(K), "--optimizer", "gd", "--lr", "1e6", "--max-iter", "100",
        "--master", "local[2]", "--x", dir.resolve("X.npy").toString());
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).isEqualTo(1);
    // lr 1e6 grows the loss a millionfold (the growth rule) before it overflows
    assertThat(run.err()).containsPattern("Training diverged at iteration [0-9]+: the loss "
        + "(is not finite|[-+.e0-9]+ exceeds 1e6 × max)");
    String last = run.out().lines().filter(l -> l.startsWith("iter")).reduce((a, c) -> c)
        .orElseThrow();
    int lastIteration = Integer.parseInt(last.substring(4, 9).trim());
    assertThat(run.err()).contains("at iteration " + (lastIteration + 1) + ":");
    assertThat(out).doesNotExist();
  }
}
