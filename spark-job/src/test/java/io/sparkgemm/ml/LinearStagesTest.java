package io.sparkgemm.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkgemm.local.BadParameterException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stages with no hidden layers (the linear model): fit against MLlib itself, transform,
 * save and load.
 */
class LinearStagesTest {
  private static final int N = 300;
  private static final int D = 4;
  private static final int K = 3;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static double[][] x;
  private static double[] classes;
  private static double[][] targets;
  private static Dataset<Row> data;

  @BeforeAll
  static void data() {
    spark = SparkSession.builder().master("local[2]").appName("LinearStagesTest")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "3").getOrCreate();
    Random random = new Random(42);
    x = new double[N][D];
    classes = new double[N];
    targets = new double[N][2];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < D; c++) {
        x[r][c] = random.nextGaussian() * (1 + c) + c;
      }
      double s = x[r][0] - 0.5 * x[r][1] + 0.3 * x[r][3] + random.nextGaussian();
      classes[r] = s < -0.5 ? 0 : s < 1.0 ? 1 : 2;
      targets[r][0] = 2 * x[r][0] - x[r][2] + 0.5 + 0.3 * random.nextGaussian();
      targets[r][1] = -x[r][1] + 0.1 * x[r][3] + 0.3 * random.nextGaussian();
      rows.add(RowFactory.create(Vectors.dense(x[r]), classes[r], targets[r][0],
          Vectors.dense(targets[r])));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), false)
        .add("label", DataTypes.DoubleType, false).add("y", DataTypes.DoubleType, false)
        .add("ys", new VectorUDT(), false);
    // A local relation in 2 partitions: the same rows in the same order on every action.
    data = spark.createDataFrame(rows, schema);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static double softmaxObjective(double[][] w, double[] b, double reg) {
    double loss = 0;
    double squares = 0;
    for (int r = 0; r < N; r++) {
      double[] y = new double[K];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < K; j++) {
        y[j] = b[j];
        for (int i = 0; i < D; i++) {
          y[j] += x[r][i] * w[i][j];
        }
        max = Math.max(max, y[j]);
      }
      double sum = 0;
      for (double v : y) {
        sum += Math.exp(v - max);
      }
      loss += max + Math.log(sum) - y[(int) classes[r]];
    }
    for (double[] row : w) {
      for (double v : row) {
        squares += v * v;
      }
    }
    return loss / N + 0.5 * reg * squares;
  }

  /** W (d x k) of a linear model, as rows. */
  private static double[][] rows(Matrix w) {
    double[][] rows = new double[w.numRows()][w.numCols()];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < rows[i].length; j++) {
        rows[i][j] = w.apply(i, j);
      }
    }
    return rows;
  }

  private static double[] values(Matrix w) {
    return Arrays.stream(rows(w)).flatMapToDouble(Arrays::stream).toArray();
  }

  @Test
  void classifierMatchesMllibLogisticRegressionAndRoundTripsInAPipeline() throws Exception {
    double reg = 0.05;
    NetworkClassifier classifier = new NetworkClassifier();
    classifier.setRegParam(reg);
    classifier.setMaxIter(200);
    classifier.setTol(1e-10);
    NetworkClassificationModel model = classifier.fit(data);
    assertThat(model.numClasses()).isEqualTo(K);
    assertThat(model.summary().objectiveHistory().length).isGreaterThan(2);

    LogisticRegressionModel mllib = new LogisticRegression().setFamily("multinomial")
        .setRegParam(reg).setElasticNetParam(0).setStandardization(false).setMaxIter(200)
        .setTol(1e-10).fit(data);
    double[][] wMllib = new double[D][K];
    for (int i = 0; i < D; i++) {
      for (int j = 0; j < K; j++) {
        wMllib[i][j] = mllib.coefficientMatrix().apply(j, i);
      }
    }
    double ours = softmaxObjective(rows(model.weights()[0]), model.biases()[0].toArray(), reg);
    double theirs = softmaxObjective(wMllib, mllib.interceptVector().toArray(), reg);
    assertThat(Math.abs(ours - theirs) / theirs).isLessThanOrEqualTo(1e-6);

    List<Row> predicted = model.transform(data).select("features", "rawPrediction",
        "probability", "prediction").collectAsList();
    List<Row> expected = mllib.transform(data).select("prediction").collectAsList();
    double[][] w = rows(model.weights()[0]);
    double[] b = model.biases()[0].toArray();
    for (int r = 0; r < predicted.size(); r++) {
      Row row = predicted.get(r);
      double[] features = ((Vector) row.get(0)).toArray();
      double[] logits = ((Vector) row.get(1)).toArray();
      for (int j = 0; j < K; j++) {
        double y = b[j];
        for (int i = 0; i < D; i++) {
          y += features[i] * w[i][j];
        }
        assertThat(logits[j]).isCloseTo(y, within(1e-12 * (1 + Math.abs(y))));
      }
      double total = 0;
      for (double p : ((Vector) row.get(2)).toArray()) {
        total += p;
      }
      assertThat(total).isCloseTo(1.0, within(1e-12));
      assertThat(row.getDouble(3)).as("row %d", r).isEqualTo(expected.get(r).getDouble(0));
    }

    NetworkClassifier quick = new NetworkClassifier();
    quick.setMaxIter(5);
    quick.setProbabilityCol("p");
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {quick}).fit(data);
    String path = dir.resolve("pipeline").toString();
    pipeline.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    NetworkClassificationModel reloaded = (NetworkClassificationModel) loaded.stages()[0];
    assertThat(reloaded.uid()).isEqualTo(pipeline.stages()[0].uid());
    assertThat(reloaded.theta()).containsExactly(
        ((NetworkClassificationModel) pipeline.stages()[0]).theta());
    assertThat(loaded.transform(data).select("p", "prediction").collectAsList())
        .isEqualTo(pipeline.transform(data).select("p", "prediction").collectAsList());

    String estimatorPath = dir.resolve("classifier").toString();
    classifier.write().overwrite().save(estimatorPath);
    NetworkClassifier again = NetworkClassifier.load(estimatorPath);
    assertThat((Double) again.getOrDefault(again.regParam())).isEqualTo(reg);
    assertThat(again.uid()).isEqualTo(classifier.uid());
  }

  @Test
  void aNullFeatureVectorInTheFirstRowIsRefusedNamingTheRow() {
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(null, 1.0));
    rows.add(RowFactory.create(Vectors.dense(1, 2, 3, 4, 5), 2.0));
    StructType schema = new StructType().add("features", new VectorUDT(), true)
        .add("label", DataTypes.DoubleType, false);
    Dataset<Row> withNull = spark.createDataFrame(rows, schema);
    assertThatThrownBy(() -> new NetworkRegressor().fit(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row id 0 has null features");
  }

  /**
   * The library's refusal of a parameter reaches a Pipeline user with the parameter's own name
   * (the Param's), never a command-line flag.
   */
  @Test
  void aRefusedParameterIsNamedAsTheParam() {
    NetworkRegressor regressor = new NetworkRegressor();
    regressor.setLabelCol("y");
    regressor.setBlockRows(Integer.MAX_VALUE);
    assertThatThrownBy(() -> regressor.fit(data))
        .isInstanceOfSatisfying(BadParameterException.class, e -> {
          assertThat(e.parameter()).isEqualTo("blockRows");
          assertThat(e.getMessage()).startsWith("blockRows " + Integer.MAX_VALUE + " with " + D
              + " features makes blocks of").doesNotContain("--");
        });
  }

  @Test
  void regressorSolvesLikeMllibAndPredictsVectors() throws Exception {
    double reg = 0.2;
    NetworkRegressor normal = new NetworkRegressor();
    normal.setLabelCol("y");
    normal.setRegParam(reg);
    normal.setOptimizer("normal");
    NetworkRegressionModel solved = normal.fit(data);

    double mean = 0;
    for (double[] t : targets) {
      mean += t[0] / N;
    }
    double variance = 0;
    for (double[] t : targets) {
      variance += (t[0] - mean) * (t[0] - mean) / N;
    }
    // MLlib's normal solver scales its L2 term by the label's std: see the README.
    LinearRegressionModel mllib = new LinearRegression()
        .setSolver("normal").setLabelCol("y").setRegParam(reg * Math.sqrt(variance) / 2)
        .setElasticNetParam(0).setStandardization(false).fit(data);
    double[] coefficients = mllib.coefficients().toArray();
    for (int i = 0; i < D; i++) {
      assertThat(solved.weights()[0].apply(i, 0)).isCloseTo(coefficients[i],
          within(1e-9 * (1 + Math.abs(coefficients[i]))));
    }
    assertThat(solved.biases()[0].apply(0)).isCloseTo(mllib.intercept(), within(1e-9));

    NetworkRegressor lbfgs = new NetworkRegressor();
    lbfgs.setLabelCol("ys");
    lbfgs.setRegParam(reg);
    lbfgs.setMaxIter(200);
    lbfgs.setTol(1e-14);
    NetworkRegressionModel trained = lbfgs.fit(data);
    NetworkRegressor normal2 = new NetworkRegressor();
    normal2.setLabelCol("ys");
    normal2.setRegParam(reg);
    normal2.setOptimizer("normal");
    NetworkRegressionModel closed = normal2.fit(data);
    double[] a = values(trained.weights()[0]);
    double[] c = values(closed.weights()[0]);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).isCloseTo(c[i], within(1e-6));
    }
    Row first = trained.transform(data).select("features", "prediction").first();
    assertThat(first.get(1)).isInstanceOf(Vector.class);
    assertThat(((Vector) first.get(1)).size()).isEqualTo(2);

    String path = dir.resolve("regressor").toString();
    closed.write().overwrite().save(path);
    NetworkRegressionModel loaded = NetworkRegressionModel.load(path);
    assertThat(loaded.theta()).containsExactly(closed.theta());
    assertThat(loaded.summary().stopReason()).isEqualTo("closed form");
    assertThat((String) loaded.getOrDefault(loaded.predictionCol())).isEqualTo("prediction");
  }

  /** Params are checked when set, by MLlib's validators, and errors name the Param. */
  @Test
  void paramsAreCheckedWhenSetNamingTheParamNotAFlag() {
    NetworkRegressor regressor = new NetworkRegressor();
    assertThatThrownBy(() -> regressor.setStepSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stepSize given invalid value -1.0")
        .hasMessageNotContaining("--");
    assertThat(regressor.getStepSize()).isEqualTo(0.1);
    NetworkClassifier classifier = new NetworkClassifier();
    assertThatThrownBy(() -> classifier.setOptimizer("normal"))
        .hasMessageContaining("optimizer given invalid value normal");
    assertThatThrownBy(() -> classifier.setInit("glorot"))
        .hasMessageContaining("init given invalid value glorot");
    assertThatThrownBy(() -> classifier.setMomentum(1.0))
        .hasMessageContaining("momentum given invalid value 1.0");
    assertThatThrownBy(() -> classifier.setRegParam(-0.5))
        .hasMessageContaining("regParam given invalid value -0.5");
    assertThatThrownBy(() -> classifier.setMaxIter(-1))
        .hasMessageContaining("maxIter given invalid value -1");
    assertThatThrownBy(() -> classifier.setBlockRows(-1))
        .hasMessageContaining("blockRows given invalid value -1");
    assertThat(new NetworkRegressor().setOptimizer("normal").getOptimizer())
        .isEqualTo("normal");
    classifier.setOptimizer("gd").setInit("orthogonal").setMomentum(0.9).setTol(0);
    assertThat(classifier.getInit()).isEqualTo("orthogonal");
  }
}
