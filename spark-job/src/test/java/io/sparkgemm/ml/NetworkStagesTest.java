package io.sparkgemm.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.pass.NaiveNetwork;
import io.sparkgemm.spark.train.ModelDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
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

/** The network Pipeline stages: fit, transform against naive loops, save and load, Params. */
class NetworkStagesTest {
  private static final int N = 600;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static double[][] x;
  private static Dataset<Row> data;

  /**
   * Two features; the class is the quadrant's sign, x₀·x₁ > 0 (XOR), which no linear model
   * separates; y = sin(x₀) + x₁² and a second target x₀ − x₁ for the regressors.
   */
  @BeforeAll
  static void data() {
    spark = SparkSession.builder().master("local[2]").appName("NetworkStagesTest")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    Random random = new Random(5);
    x = new double[N][2];
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      x[r][0] = random.nextGaussian();
      x[r][1] = random.nextGaussian();
      double label = x[r][0] * x[r][1] > 0 ? 1 : 0;
      double y = Math.sin(x[r][0]) + x[r][1] * x[r][1];
      rows.add(RowFactory.create(Vectors.dense(x[r]), label, y,
          Vectors.dense(y, x[r][0] - x[r][1])));
    }
    StructType schema = new StructType().add("features", new VectorUDT(), false)
        .add("label", DataTypes.DoubleType, false).add("y", DataTypes.DoubleType, false)
        .add("ys", new VectorUDT(), false);
    data = spark.createDataFrame(rows, schema);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static double accuracy(Dataset<Row> predicted) {
    long right = 0;
    for (Row row : predicted.select("label", "prediction").collectAsList()) {
      right += row.getDouble(0) == row.getDouble(1) ? 1 : 0;
    }
    return (double) right / N;
  }

  @Test
  void classifierLearnsXorThatTheLinearModelCannotAndRoundTripsInAPipeline() throws Exception {
    NetworkClassifier classifier = new NetworkClassifier();
    classifier.setHiddenLayers(8);
    classifier.setActivation("tanh");
    classifier.setMaxIter(120);
    classifier.setSeed(3);
    classifier.setProbabilityCol("p");
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {classifier})
        .fit(data);
    Dataset<Row> predicted = pipeline.transform(data);
    NetworkClassifier linear = new NetworkClassifier().setMaxIter(30);
    double linearAccuracy = accuracy(linear.fit(data).transform(data));
    assertThat(linearAccuracy).isLessThan(0.7);
    assertThat(accuracy(predicted)).isGreaterThan(0.95);

    // the outputs are the network's logits, their softmax and argmax, by naive loops
    NetworkClassificationModel model = (NetworkClassificationModel) pipeline.stages()[0];
    assertThat(model.network().describe()).isEqualTo("2-8(tanh)-2");
    NaiveNetwork naive = new NaiveNetwork(new int[] {2, 8, 2}, "tanh");
    List<Row> rows = predicted.select("rawPrediction", "p", "prediction").collectAsList();
    for (int r = 0; r < N; r++) {
      double[] y = naive.output(model.theta(), x[r]);
      double[] logits = ((Vector) rows.get(r).get(0)).toArray();
      double[] p = ((Vector) rows.get(r).get(1)).toArray();
      double e = Math.exp(y[1] - y[0]);
      for (int j = 0; j < 2; j++) {
        assertThat(logits[j]).as("row %d", r).isCloseTo(y[j], within(1e-12 * (1 + Math.abs(
            y[j]))));
      }
      assertThat(p[1]).isCloseTo(e / (1 + e), within(1e-12));
      assertThat(rows.get(r).getDouble(2)).isEqualTo(y[1] > y[0] ? 1.0 : 0.0);
    }

    String path = dir.resolve("pipeline").toString();
    pipeline.write().overwrite().save(path);
    assertThat(dir.resolve("pipeline/stages").toFile().list()).hasSize(1);
    PipelineModel loaded = PipelineModel.load(path);
    NetworkClassificationModel reloaded = (NetworkClassificationModel) loaded.stages()[0];
    assertThat(reloaded.uid()).isEqualTo(model.uid());
    assertThat(reloaded.theta()).containsExactly(model.theta());
    assertThat(reloaded.network().describe()).isEqualTo("2-8(tanh)-2");
    assertThat(loaded.transform(data).select("rawPrediction", "p", "prediction")
        .collectAsList()).isEqualTo(rows);

    String estimatorPath = dir.resolve("classifier").toString();
    classifier.write().overwrite().save(estimatorPath);
    NetworkClassifier again = NetworkClassifier.load(estimatorPath);
    assertThat((int[]) again.getOrDefault(again.hiddenLayers())).containsExactly(8);
    assertThat(again.getOrDefault(again.activation())).isEqualTo("tanh");
    assertThat(again.uid()).isEqualTo(classifier.uid());
  }

  @Test
  void adamMinibatchesTrainTheClassifierToo() {
    NetworkClassifier adam = new NetworkClassifier();
    adam.setHiddenLayers(8);
    adam.setActivation("tanh");
    adam.setOptimizer("adam");
    adam.setStepSize(0.05);
    adam.setBatchRows(100);
    adam.setEpochs(30);
    adam.setSeed(3);
    NetworkClassificationModel model = adam.fit(data);
    assertThat(model.summary().objectiveHistory()).isNotEmpty();
    assertThat(accuracy(model.transform(data))).isGreaterThan(0.9);
  }

  /**
   * An identity-activation network is a product of affine maps: its predictions are
   * ((x W₀ + b₀) W₁ + b₁) by naive loops, whatever training reached. A sigmoid network's too.
   */
  @Test
  void regressorPredictsWhatNaiveLoopsComputeForItsTheta() {
    for (String activation : new String[] {"identity", "sigmoid"}) {
      NetworkRegressor regressor = new NetworkRegressor();
      regressor.setLabelCol("ys");
      regressor.setHiddenLayers(5, 3);
      regressor.setActivation(activation);
      regressor.setMaxIter(20);
      regressor.setBlockRows(64);
      NetworkRegressionModel model = regressor.fit(data);
      assertThat(model.network().sizes()).containsExactly(2, 5, 3, 2);
      assertThat(model.summary().objectiveHistory()).hasSizeGreaterThan(1);
      assertThat(model.summary().objectiveHistory()[model.summary().objectiveHistory().length - 1])
          .isLessThan(model.summary().objectiveHistory()[0]);
      NaiveNetwork naive = new NaiveNetwork(new int[] {2, 5, 3, 2}, activation);
      model.setBlockRows(7);
      List<Row> rows = model.transform(data).select("prediction").collectAsList();
      for (int r = 0; r < N; r++) {
        double[] expected = naive.output(model.theta(), x[r]);
        double[] got = ((Vector) rows.get(r).get(0)).toArray();
        for (int j = 0; j < 2; j++) {
          assertThat(got[j]).as("%s row %d output %d", activation, r, j)
              .isCloseTo(expected[j], within(1e-12 * (1 + Math.abs(expected[j]))));
        }
      }
    }
    NetworkRegressor scalar = new NetworkRegressor();
    scalar.setLabelCol("y");
    scalar.setHiddenLayers(4);
    scalar.setMaxIter(3);
    Dataset<Row> out = scalar.fit(data).transform(data);
    assertThat(out.schema().apply("prediction").dataType()).isEqualTo(DataTypes.DoubleType);
  }

  /** A folder written as {@code train --hidden} writes it: a stage, and its loss checked. */
  @Test
  void aTrainedModelFolderBecomesAStage() {
    Network network = Network.of(2, new int[] {5}, Activation.RELU, 2);
    double[] theta = new double[network.numParameters()];
    Random random = new Random(9);
    for (int i = 0; i < theta.length; i++) {
      theta[i] = random.nextGaussian();
    }
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String folder = dir.resolve("trained").toString();
    ModelDir.write(folder, new ModelDir.Model(Theta.of(network, theta), Loss.SOFTMAX_CE,
        DType.FLOAT64), true, conf);
    NetworkClassificationModel model = NetworkClassificationModel.fromModelDir(folder, conf);
    NaiveNetwork naive = new NaiveNetwork(new int[] {2, 5, 2}, "relu");
    List<Row> rows = model.transform(data).select("rawPrediction").collectAsList();
    for (int r = 0; r < N; r++) {
      double[] expected = naive.output(theta, x[r]);
      double[] got = ((Vector) rows.get(r).get(0)).toArray();
      for (int j = 0; j < 2; j++) {
        assertThat(got[j]).isCloseTo(expected[j], within(1e-12 * (1 + Math.abs(expected[j]))));
      }
    }
    assertThatThrownBy(() -> NetworkRegressionModel.fromModelDir(folder, conf))
        .hasMessageContaining("was trained with softmax-ce, expected mse (read it as a "
            + "NetworkClassificationModel)");
  }

  @Test
  void badParamsAreRefusedNamingTheParam() {
    NetworkClassifier classifier = new NetworkClassifier();
    assertThatThrownBy(() -> classifier.setHiddenLayers(16, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hiddenLayers must all be >= 1, got [16, 0]");
    assertThatThrownBy(() -> classifier.setActivation("swish"))
        .hasMessageContaining("activation given invalid value swish");
    assertThatThrownBy(() -> classifier.setOptimizer("newton"))
        .hasMessageContaining("optimizer given invalid value newton");
    assertThatThrownBy(() -> classifier.setInit("glorot"))
        .hasMessageContaining("init given invalid value glorot");
    assertThatThrownBy(() -> classifier.setBatchRows(-1))
        .hasMessageContaining("batchRows given invalid value -1");
    assertThatThrownBy(() -> classifier.setEpochs(-2))
        .hasMessageContaining("epochs given invalid value -2");
    assertThatThrownBy(() -> classifier.setStepSize(0))
        .hasMessageContaining("stepSize given invalid value 0.0");
    classifier.setActivation("sigmoid");
    classifier.setHiddenLayers(4);
    classifier.setOptimizer("adam");
    classifier.setInit("xavier");
    assertThat(classifier.getOrDefault(classifier.optimizer())).isEqualTo("adam");
    // as train: adam's rate is 0.001 unless one is set
    assertThat(classifier.getStepSize()).isEqualTo(0.001);
    assertThat(NetworkTraining.spec(classifier, Loss.SOFTMAX_CE).learningRate())
        .isEqualTo(0.001);
    classifier.setStepSize(0.01);
    assertThat(NetworkTraining.spec(classifier, Loss.SOFTMAX_CE).learningRate())
        .isEqualTo(0.01);
    assertThat(NetworkTraining.spec(classifier, Loss.SOFTMAX_CE).network(2, 3).describe())
        .isEqualTo("2-4(sigmoid)-3");

    // settings that only clash with each other are refused by fit, before any data is read
    NetworkClassifier fullBatch = new NetworkClassifier();
    fullBatch.setBatchRows(64);
    assertThatThrownBy(() -> fullBatch.fit(data)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchRows is for the minibatch optimizers sgd and adam");
    NetworkClassifier orthogonal = new NetworkClassifier().setHiddenLayers(4)
        .setInit("orthogonal");
    assertThatThrownBy(() -> orthogonal.fit(data))
        .isInstanceOfSatisfying(BadParameterException.class,
            e -> assertThat(e.parameter()).isEqualTo("init"))
        .hasMessageContaining("init orthogonal is for the linear model; with hiddenLayers [4] "
            + "give one of auto, he, xavier, zeros");
    NetworkRegressor normal = new NetworkRegressor().setLabelCol("y").setHiddenLayers(4)
        .setOptimizer("normal");
    assertThatThrownBy(() -> normal.fit(data))
        .isInstanceOfSatisfying(BadParameterException.class,
            e -> assertThat(e.parameter()).isEqualTo("optimizer"))
        .hasMessageContaining("optimizer normal solves the linear model only; hiddenLayers is "
            + "[4]");
    NetworkClassifier noLabel = new NetworkClassifier();
    noLabel.setLabelCol("missing");
    assertThatThrownBy(() -> noLabel.fit(data)).hasMessageContaining("missing");

    // a model refuses rows of another width, naming both
    NetworkRegressor regressor = new NetworkRegressor();
    regressor.setLabelCol("y");
    regressor.setHiddenLayers(3);
    regressor.setMaxIter(1);
    NetworkRegressionModel model = regressor.fit(data);
    List<Row> wide = List.of(RowFactory.create(Vectors.dense(1, 2, 3)));
    Dataset<Row> threeFeatures = spark.createDataFrame(wide,
        new StructType().add("features", new VectorUDT(), false));
    assertThatThrownBy(() -> model.transform(threeFeatures).collectAsList())
        .hasMessageContaining("A row has 3 features but the network is 2-3(relu)-1 (d = 2)");
  }
}
