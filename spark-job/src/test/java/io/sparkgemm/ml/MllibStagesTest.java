package io.sparkgemm.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.cli.SparkGemmCli;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
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
import scala.jdk.javaapi.CollectionConverters;

/**
 * The stages used as MLlib's own classifiers and regressors are: inside CrossValidator with
 * MLlib's evaluators, predict on one Vector, thresholds, getters and chaining setters, the
 * training summary saved in a PipelineModel, and the same bits as {@code forward --model}.
 */
class MllibStagesTest {
  private static final int N = 400;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static double[][] x;
  private static Dataset<Row> data;

  /** Three features; a binary label (a ring) and three classes (by angle); two targets. */
  @BeforeAll
  static void data() {
    spark = SparkSession.builder().master("local[2]").appName("MllibStagesTest")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    Random random = new Random(23);
    x = new double[N][3];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < 3; c++) {
        x[r][c] = random.nextGaussian();
      }
      double binary = x[r][0] + 0.5 * x[r][1] > 0 ? 1 : 0;
      double angle = Math.atan2(x[r][1], x[r][0]);
      double classes = angle < -1 ? 0 : angle < 1 ? 1 : 2;
      List<Double> array = Arrays.stream(x[r]).boxed().toList();
      rows.add(RowFactory.create(Vectors.dense(x[r]), array, binary, classes,
          x[r][0] - 2 * x[r][2], Vectors.dense(x[r][0] - 2 * x[r][2], x[r][1])));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), false)
        .add("array", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("label", DataTypes.DoubleType, false).add("classes", DataTypes.DoubleType, false)
        .add("y", DataTypes.DoubleType, false).add("ys", new VectorUDT(), false);
    data = spark.createDataFrame(rows, schema);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void crossValidatorPicksAmongNetworksByMllibsBinaryEvaluator() {
    NetworkClassifier classifier = new NetworkClassifier().setMaxIter(30).setSeed(4);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(classifier.hiddenLayers(),
            CollectionConverters.asScala(List.of(new int[0], new int[] {4})))
        .addGrid(classifier.regParam(), new double[] {0.0, 0.1}).build();
    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator();
    CrossValidatorModel cv = new CrossValidator().setEstimator(classifier)
        .setEstimatorParamMaps(grid).setEvaluator(auc).setNumFolds(2).setSeed(1).fit(data);
    assertThat(cv.avgMetrics()).hasSize(4);
    for (double metric : cv.avgMetrics()) {
      assertThat(metric).isGreaterThan(0.9);
    }
    assertThat(cv.bestModel()).isInstanceOf(NetworkClassificationModel.class);
    assertThat(auc.evaluate(cv.transform(data))).isGreaterThan(0.95);
  }

  @Test
  void crossValidatorWorksWithMllibsMulticlassEvaluator() {
    NetworkClassifier classifier = new NetworkClassifier().setLabelCol("classes")
        .setHiddenLayers(8).setActivation("tanh").setMaxIter(60).setSeed(2);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(classifier.maxIter(), new int[] {2, 60}).build();
    MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
        .setLabelCol("classes").setMetricName("accuracy");
    CrossValidatorModel cv = new CrossValidator().setEstimator(classifier)
        .setEstimatorParamMaps(grid).setEvaluator(accuracy).setNumFolds(2).setSeed(1)
        .fit(data);
    assertThat(cv.avgMetrics()[1]).isGreaterThan(cv.avgMetrics()[0]).isGreaterThan(0.85);
    NetworkClassificationModel best = (NetworkClassificationModel) cv.bestModel();
    assertThat(best.numClasses()).isEqualTo(3);
    assertThat(((NetworkClassifier) best.parent()).getMaxIter()).isEqualTo(60);
  }

  /** The columns carry MLlib's types and metadata; one Vector gives transform's numbers. */
  @Test
  void predictOnOneVectorGivesTransformsNumbersWithAndWithoutThresholds() {
    NetworkClassificationModel model = new NetworkClassifier().setLabelCol("classes")
        .setHiddenLayers(5).setMaxIter(10).fit(data);
    Dataset<Row> out = model.transform(data);
    assertThat(AttributeGroup.fromStructField(out.schema().apply("rawPrediction")).size())
        .isEqualTo(3);
    assertThat(AttributeGroup.fromStructField(out.schema().apply("probability")).size())
        .isEqualTo(3);
    assertThat(Arrays.asList(out.columns()).subList(6, 9))
        .containsExactly("rawPrediction", "probability", "prediction");
    List<Row> rows = out.select("features", "rawPrediction", "probability", "prediction")
        .collectAsList();
    for (Row row : rows) {
      Vector features = (Vector) row.get(0);
      assertThat(model.predictRaw(features)).isEqualTo(row.get(1));
      assertThat(model.predictProbability(features)).isEqualTo(row.get(2));
      assertThat(model.predict(features)).isEqualTo(row.getDouble(3));
    }
    model.setThresholds(new double[] {0.1, 0.6, 0.3}).setProbabilityCol("");
    List<Row> thresholded = model.transform(data).select("features", "prediction")
        .collectAsList();
    long changed = 0;
    for (int r = 0; r < N; r++) {
      Vector features = (Vector) thresholded.get(r).get(0);
      assertThat(model.predict(features)).isEqualTo(thresholded.get(r).getDouble(1));
      changed += thresholded.get(r).getDouble(1) != rows.get(r).getDouble(3) ? 1 : 0;
    }
    assertThat(changed).isPositive();
    assertThatThrownBy(() -> model.setThresholds(new double[] {0.5, 0.5}))
        .hasMessageContaining("numClasses=3, but thresholds has length 2");
  }

  @Test
  void arrayFeaturesGiveWhatVectorsGive() {
    NetworkClassificationModel model = new NetworkClassifier().setFeaturesCol("array")
        .setHiddenLayers(3).setMaxIter(5).fit(data);
    List<Row> fromArrays = model.transform(data).select("rawPrediction").collectAsList();
    model.setFeaturesCol("features");
    assertThat(model.transform(data).select("rawPrediction").collectAsList())
        .isEqualTo(fromArrays);
  }

  /** Every Param has a getter and a setter that returns the stage's own type. */
  @Test
  void settersChainWithTheConcreteTypeAndGettersReadBack() {
    NetworkClassifier classifier = new NetworkClassifier().setMaxIter(5).setHiddenLayers(8)
        .setActivation("tanh").setRegParam(0.1).setTol(1e-4).setOptimizer("gd")
        .setStepSize(0.5).setMomentum(0.9).setInit("xavier").setSeed(7L).setBackend("java")
        .setBlockRows(32).setLabelCol("classes").setProbabilityCol("p")
        .setRawPredictionCol("raw").setThresholds(new double[] {1, 1, 1});
    assertThat(classifier.getMaxIter()).isEqualTo(5);
    assertThat(classifier.getHiddenLayers()).containsExactly(8);
    assertThat(classifier.getActivation()).isEqualTo("tanh");
    assertThat(classifier.getRegParam()).isEqualTo(0.1);
    assertThat(classifier.getTol()).isEqualTo(1e-4);
    assertThat(classifier.getOptimizer()).isEqualTo("gd");
    assertThat(classifier.getStepSize()).isEqualTo(0.5);
    assertThat(classifier.getMomentum()).isEqualTo(0.9);
    assertThat(classifier.getInit()).isEqualTo("xavier");
    assertThat(classifier.getSeed()).isEqualTo(7L);
    assertThat(classifier.getBackend()).isEqualTo("java");
    assertThat(classifier.getBlockRows()).isEqualTo(32);
    assertThat(classifier.getProbabilityCol()).isEqualTo("p");
    assertThat(classifier.getRawPredictionCol()).isEqualTo("raw");
    NetworkRegressor regressor = new NetworkRegressor().setOptimizer("adam").setBatchRows(64)
        .setEpochs(3).setLabelCol("y").setPredictionCol("yhat");
    assertThat(regressor.getStepSize()).isEqualTo(TrainingParams.ADAM_STEP_SIZE);
    assertThat(regressor.getBatchRows()).isEqualTo(64);
    assertThat(regressor.getEpochs()).isEqualTo(3);
    // defaults: train's, from TrainSpec's builder; init as train without --init
    NetworkRegressor defaults = new NetworkRegressor();
    assertThat(defaults.getMaxIter()).isEqualTo(100);
    assertThat(defaults.getTol()).isEqualTo(1e-6);
    assertThat(defaults.getStepSize()).isEqualTo(0.1);
    assertThat(defaults.getInit()).isEqualTo("zeros");
    assertThat(defaults.setHiddenLayers(2).getInit()).isEqualTo("auto");
  }

  /** Beyond MLlib's one double: k targets give a vector; predict says to use predictVector. */
  @Test
  void aRegressorOfTwoTargetsPredictsVectors() {
    NetworkRegressionModel model = new NetworkRegressor().setLabelCol("ys").setHiddenLayers(4)
        .setMaxIter(10).fit(data);
    assertThat(model.numOutputs()).isEqualTo(2);
    Row first = model.transform(data).select("features", "prediction").first();
    assertThat(model.predictVector((Vector) first.get(0))).isEqualTo(first.get(1));
    assertThatThrownBy(() -> model.predict((Vector) first.get(0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has k = 2 targets; use predictVector");
    NetworkRegressionModel one = new NetworkRegressor().setLabelCol("y").setMaxIter(10)
        .fit(data);
    Row row = one.transform(data).select("features", "prediction").first();
    assertThat(one.predict((Vector) row.get(0))).isEqualTo(row.getDouble(1));
  }

  /** The layers as MLlib matrices and vectors, in θ's layout. */
  @Test
  void weightsAndBiasesAreTheLayersOfTheta() {
    NetworkClassificationModel model = new NetworkClassifier().setHiddenLayers(4)
        .setMaxIter(2).fit(data);
    Matrix[] w = model.weights();
    Vector[] b = model.biases();
    assertThat(w).hasSize(2);
    assertThat(new int[] {w[0].numRows(), w[0].numCols(), w[1].numRows(), w[1].numCols()})
        .containsExactly(3, 4, 4, 2);
    double[] theta = model.theta();
    assertThat(w[0].apply(1, 2)).isEqualTo(theta[4 + 2]);
    assertThat(b[0].apply(3)).isEqualTo(theta[12 + 3]);
    assertThat(w[1].apply(3, 1)).isEqualTo(theta[16 + 3 * 2 + 1]);
    assertThat(b[1].apply(1)).isEqualTo(theta[24 + 1]);
  }

  @Test
  void theSummaryIsSavedInAPipelineModelAndLoadedBack() throws Exception {
    NetworkClassifier classifier = new NetworkClassifier().setHiddenLayers(3).setMaxIter(8);
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {classifier})
        .fit(data);
    NetworkClassificationModel model = (NetworkClassificationModel) pipeline.stages()[0];
    assertThat(model.hasSummary()).isTrue();
    assertThat(model.summary().objectiveHistory()).hasSizeGreaterThan(2);
    String path = dir.resolve("with-summary").toString();
    pipeline.write().overwrite().save(path);
    NetworkClassificationModel loaded = (NetworkClassificationModel) PipelineModel.load(path)
        .stages()[0];
    assertThat(loaded.hasSummary()).isTrue();
    assertThat(loaded.summary().objectiveHistory())
        .containsExactly(model.summary().objectiveHistory());
    assertThat(loaded.summary().totalIterations()).isEqualTo(model.summary()
        .totalIterations());
    assertThat(loaded.summary().stopReason()).isEqualTo(model.summary().stopReason());
    assertThat(new NetworkClassificationModel("empty").hasSummary()).isFalse();
    assertThatThrownBy(() -> new NetworkClassificationModel("empty").summary())
        .hasMessageContaining("No training summary for empty");
  }

  /** A saved stage's model/ folder is a spark-gemm model folder: forward --model agrees. */
  @Test
  void theCliForwardsASavedStagesModelFolderToTheSameBits() throws Exception {
    NetworkClassificationModel model = new NetworkClassifier().setLabelCol("classes")
        .setHiddenLayers(6).setActivation("sigmoid").setMaxIter(15).fit(data);
    String saved = dir.resolve("stage").toString();
    model.write().overwrite().save(saved);
    Path xFile = dir.resolve("X.npy");
    Npy.write(xFile, NpyArray.of(DenseBlock.ofRows(x)));
    Path out = dir.resolve("forward");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = SparkGemmCli.run(new String[] {"forward", "--x", xFile.toString(), "--model",
        saved + "/" + TrainedNetwork.MODEL_DIR, "--out", out.toString(), "--master",
        "local[2]"}, new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(code).as("stderr:%n%s", stderr.toString(StandardCharsets.UTF_8)).isZero();
    double[][] y = Npy.read(out.resolve("Y.npy")).toBlock().toRows();
    List<Row> raw = model.transform(data).select("rawPrediction").collectAsList();
    for (int r = 0; r < N; r++) {
      assertThat(((Vector) raw.get(r).get(0)).toArray()).as("row %d", r)
          .containsExactly(y[r]);
    }
  }

  /**
   * What Spark Connect's ML and MLlib's readers call: public no-argument and (uid)
   * constructors (an empty model for the models), static read() and load(path); every Param,
   * Spark's own included, belongs to the stage's uid.
   */
  @Test
  void everyStageHasTheConstructorsAndLoadersThatSparkCalls() throws Exception {
    for (Class<?> type : List.of(NetworkClassifier.class, NetworkClassificationModel.class,
        NetworkRegressor.class, NetworkRegressionModel.class)) {
      assertThat(Modifier.isPublic(type.getModifiers())).as(type.getName()).isTrue();
      Params blank = (Params) type.getConstructor().newInstance();
      assertThat(blank.explainParams()).contains("blockRows");
      Params named = (Params) type.getConstructor(String.class).newInstance("uid-1");
      assertThat(named.uid()).isEqualTo("uid-1");
      for (Param<?> param : named.params()) {
        assertThat(param.parent()).as("%s.%s", type.getSimpleName(), param.name())
            .isEqualTo("uid-1");
      }
      assertThat(Modifier.isStatic(type.getMethod("read").getModifiers())).isTrue();
      assertThat(Modifier.isStatic(type.getMethod("load", String.class).getModifiers()))
          .isTrue();
    }
  }
}
