package io.sparkgemm.ml.connect;

import static io.sparkgemm.ml.connect.ConnectClient.column;
import static io.sparkgemm.ml.connect.ConnectClient.internal;
import static io.sparkgemm.ml.connect.ConnectClient.literal;
import static io.sparkgemm.ml.connect.ConnectClient.of;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.ml.NetworkClassificationModel;
import io.sparkgemm.ml.NetworkClassifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.connect.proto.Expression;
import org.apache.spark.connect.proto.Fetch;
import org.apache.spark.connect.proto.MlCommand;
import org.apache.spark.connect.proto.MlCommandResult;
import org.apache.spark.connect.proto.MlOperator;
import org.apache.spark.connect.proto.MlParams;
import org.apache.spark.connect.proto.MlRelation;
import org.apache.spark.connect.proto.ObjectRef;
import org.apache.spark.connect.proto.Relation;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService$;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * The network classifier through Spark Connect's ML protocol, the path a PySpark 4 Connect
 * client takes: a Connect server runs in-process on a local session, and the test sends it the
 * messages pyspark.ml sends (Fit, a Transform relation, Fetch, Write, Read). What comes back
 * must be the bits of the same stage fitted in-process.
 */
class ConnectMlTest {
  private static final String HOST = "127.0.0.1";
  private static final String CLASSIFIER = NetworkClassifier.class.getName();
  private static final String MODEL = NetworkClassificationModel.class.getName();
  private static final String UID = "NetworkClassifier_connect";
  private static final int N = 120;
  private static final int HIDDEN = 4;
  private static final int MAX_ITER = 6;
  private static final int SEED = 3;
  private static final int BLOCK_ROWS = 64;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static ConnectClient client;
  private static Relation data;
  private static NetworkClassificationModel local;
  private static String fitted;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("ConnectMlTest")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.connect.grpc.binding.address", HOST)
        // 0: a free port, read back below.
        .config("spark.connect.grpc.binding.port", "0")
        .getOrCreate();
    SparkConnectService$.MODULE$.start(spark.sparkContext());
    client = new ConnectClient(HOST, SparkConnectService$.MODULE$.localPort());

    String query = rows();
    data = ConnectClient.project(ConnectClient.sql(query), column("id"), column("label"),
        internal("array_to_vector", "features", column("xs")));
    Dataset<Row> inProcess = spark.sql(query).select(col("id"), col("label"),
        functions.array_to_vector(col("xs")).as("features"));
    NetworkClassifier classifier = new NetworkClassifier(UID);
    classifier.setHiddenLayers(HIDDEN);
    classifier.setActivation("tanh");
    classifier.setMaxIter(MAX_ITER);
    classifier.setSeed(SEED);
    classifier.setBlockRows(BLOCK_ROWS);
    local = classifier.fit(inProcess);

    fitted = client.ml(MlCommand.newBuilder().setFit(MlCommand.Fit.newBuilder()
        .setEstimator(operator(CLASSIFIER, UID, MlOperator.OperatorType.OPERATOR_TYPE_ESTIMATOR))
        .setParams(params()).setDataset(data)).build()).getOperatorInfo().getObjRef().getId();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    client.close();
    SparkConnectService$.MODULE$.stop(Option.empty(), Option.empty());
    spark.stop();
  }

  /** Two Gaussian features, the XOR label x0·x1 > 0, as SQL VALUES: the Connect data source. */
  private static String rows() {
    Random random = new Random(11);
    StringBuilder values = new StringBuilder();
    for (int r = 0; r < N; r++) {
      double x0 = random.nextGaussian();
      double x1 = random.nextGaussian();
      values.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "(%d, %sD, %sD, %sD)",
          r, x0, x1, x0 * x1 > 0 ? 1.0 : 0.0));
    }
    return "SELECT id, array(x0, x1) AS xs, label FROM VALUES " + values
        + " AS t(id, x0, x1, label)";
  }

  /**
   * The Params as pyspark's serialize_ml_params sends them, name to literal (a Python int is a
   * 32-bit integer literal; the server widens it to the Param's type, here seed's long).
   */
  private static MlParams params() {
    return MlParams.newBuilder().putParams("hiddenLayers", of(new int[] {HIDDEN}))
        .putParams("activation", of("tanh")).putParams("maxIter", of(MAX_ITER))
        .putParams("seed", of(SEED)).putParams("blockRows", of(BLOCK_ROWS)).build();
  }

  private static MlOperator.Builder operator(String name, String uid,
      MlOperator.OperatorType type) {
    return MlOperator.newBuilder().setName(name).setUid(uid).setType(type);
  }

  /** id, prediction and rawPrediction (as an array) of the model a Connect reference names. */
  private static Map<String, List<Object>> transform(String modelRef) {
    Relation transformed = Relation.newBuilder().setMlRelation(MlRelation.newBuilder()
        .setTransform(MlRelation.Transform.newBuilder()
            .setObjRef(ObjectRef.newBuilder().setId(modelRef)).setInput(data)
            .setParams(MlParams.getDefaultInstance()))).build();
    return client.collect(ConnectClient.project(transformed, column("id"), column("prediction"),
        internal("vector_to_array", "raw", column("rawPrediction"), literal(of("float64")))));
  }

  /** The same columns from the in-process model, in id order. */
  private static double[][] expected() {
    Dataset<Row> inProcess = spark.sql(rows()).select(col("id"),
        functions.array_to_vector(col("xs")).as("features"));
    List<Row> rows = local.transform(inProcess).orderBy("id").select(col("prediction"),
        functions.vector_to_array(col("rawPrediction"), "float64")).collectAsList();
    double[][] out = new double[N][];
    for (int r = 0; r < N; r++) {
      List<Double> raw = rows.get(r).getList(1);
      out[r] = new double[1 + raw.size()];
      out[r][0] = rows.get(r).getDouble(0);
      for (int j = 0; j < raw.size(); j++) {
        out[r][1 + j] = raw.get(j);
      }
    }
    return out;
  }

  /** What came back over Connect, placed by id. */
  private static double[][] byId(Map<String, List<Object>> columns) {
    double[][] out = new double[N][];
    List<Object> ids = columns.get("id");
    assertThat(ids).hasSize(N);
    for (int i = 0; i < N; i++) {
      List<?> raw = (List<?>) columns.get("raw").get(i);
      double[] row = new double[1 + raw.size()];
      row[0] = (Double) columns.get("prediction").get(i);
      for (int j = 0; j < raw.size(); j++) {
        row[1 + j] = (Double) raw.get(j);
      }
      out[((Number) ids.get(i)).intValue()] = row;
    }
    return out;
  }

  @Test
  void fitAndTransformOverConnectGiveTheInProcessBits() {
    assertThat(byId(transform(fitted))).isEqualTo(expected());
  }

  @Test
  void fetchCallsAnAllowedAttribute() {
    assertThat(fetch("toString").getString()).isEqualTo(UID);
    // allowed because the models are MLlib's PredictionModel and ClassificationModel
    assertThat(fetch("numFeatures").getInteger()).isEqualTo(local.numFeatures()).isEqualTo(2);
    assertThat(fetch("numClasses").getInteger()).isEqualTo(local.numClasses()).isEqualTo(2);
  }

  private static Expression.Literal fetch(String method) {
    return client.ml(MlCommand.newBuilder().setFetch(Fetch.newBuilder()
        .setObjRef(ObjectRef.newBuilder().setId(fitted))
        .addMethods(Fetch.Method.newBuilder().setMethod(method))).build()).getParam();
  }

  @Test
  void writeAndReadBackKeepTheModel() {
    String path = dir.resolve("model").toString();
    client.ml(MlCommand.newBuilder().setWrite(MlCommand.Write.newBuilder()
        .setObjRef(ObjectRef.newBuilder().setId(fitted)).setPath(path)).build());
    MlCommandResult read = client.ml(MlCommand.newBuilder().setRead(MlCommand.Read.newBuilder()
        .setOperator(operator(MODEL, "", MlOperator.OperatorType.OPERATOR_TYPE_MODEL))
        .setPath(path)).build());
    assertThat(read.getOperatorInfo().getUid()).isEqualTo(UID);
    assertThat(byId(transform(read.getOperatorInfo().getObjRef().getId())))
        .isEqualTo(expected());
    assertThat(NetworkClassificationModel.load(path).theta()).isEqualTo(local.theta());
  }

  @Test
  void anEstimatorIsWrittenAndReadWithItsParams() {
    String path = dir.resolve("estimator").toString();
    client.ml(MlCommand.newBuilder().setWrite(MlCommand.Write.newBuilder()
        .setOperator(operator(CLASSIFIER, UID, MlOperator.OperatorType.OPERATOR_TYPE_ESTIMATOR))
        .setParams(params()).setPath(path)).build());
    MlCommandResult read = client.ml(MlCommand.newBuilder().setRead(MlCommand.Read.newBuilder()
        .setOperator(operator(CLASSIFIER, "", MlOperator.OperatorType.OPERATOR_TYPE_ESTIMATOR))
        .setPath(path)).build());
    Map<String, Expression.Literal> params = read.getOperatorInfo().getParams().getParamsMap();
    assertThat(params.get("maxIter").getInteger()).isEqualTo(MAX_ITER);
    assertThat(params.get("activation").getString()).isEqualTo("tanh");
    NetworkClassifier loaded = NetworkClassifier.load(path);
    assertThat((int[]) loaded.getOrDefault(loaded.hiddenLayers())).containsExactly(HIDDEN);
  }
}
