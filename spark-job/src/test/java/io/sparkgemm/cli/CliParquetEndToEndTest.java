package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readRows;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static io.sparkgemm.cli.E2eFiles.report;
import static io.sparkgemm.cli.NaiveOracle.F64;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forward and backward on Parquet inputs: array, vector and column features; ids; joins. */
class CliParquetEndToEndTest {
  private static final int N = 29;
  private static final int D = 4;
  private static final int K = 3;
  private static final ArrayType DOUBLES = DataTypes.createArrayType(DataTypes.DoubleType, false);

  @TempDir
  static Path inputs;

  private static SparkSession spark;
  private static double[][] x;
  private static double[][] w;
  private static double[] b;
  private static double[][] t;
  private static int[] labels;
  private static double[][] upstream;

  @BeforeAll
  static void startSession() {
    spark = E2eFiles.startSession("CliParquetEndToEndTest");
    Random random = new Random(77L);
    x = NaiveOracle.gaussian(random, N, D);
    w = NaiveOracle.gaussian(random, D, K);
    b = NaiveOracle.gaussian(random, K);
    t = NaiveOracle.gaussian(random, N, K);
    labels = NaiveOracle.classes(random, N, K);
    upstream = NaiveOracle.gaussian(random, N, K);
    npy(inputs.resolve("W.npy"), w);
    npy(inputs.resolve("b.npy"), b);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  /** Row r's id: not 0..n-1, so ids must really be read from the id column. */
  private static long id(int r) {
    return 1000L + 7L * r;
  }

  private static Path parquet(String name, StructType schema, IntFunction<Row> row,
      int partitions) {
    Path path = inputs.resolve(name);
    if (Files.exists(path)) {
      return path;
    }
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(row.apply(r));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    // coalesce keeps the input order, which rows without ids are numbered by
    (partitions == 1 ? df.coalesce(1) : df.repartition(partitions)).write()
        .parquet(path.toString());
    return path;
  }

  private static CliRun run(String command, Path x, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "--x", x.toString(),
        "--w", inputs.resolve("W.npy").toString(), "--b", inputs.resolve("b.npy").toString(),
        "--out", out.toString(), "--master", "local[2]", "--block-rows", "5"));
    args.addAll(List.of(extra));
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    return run;
  }

  /** Compares a Parquet output (id, values) with the oracle's rows, by row id. */
  private static void assertRows(String what, Path dir, double[][] expected,
      boolean consecutiveIds) {
    Map<Long, double[]> rows = readRows(spark, dir);
    assertThat(rows).as(what + " rows").hasSize(expected.length);
    for (int r = 0; r < expected.length; r++) {
      long id = consecutiveIds ? r : id(r);
      assertThat(rows).as(what + " has row id " + id).containsKey(id);
      assertClose(what + " row id " + id, rows.get(id), expected[r], F64);
    }
  }

  private static void assertGradients(Path out, NaiveOracle.Grads expected) {
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
  }

  private static Path arrayFeaturesWithTargets() {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("targets", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return parquet("arrays.parquet", schema, r -> RowFactory.create(id(r), x[r], t[r]), 3);
  }

  @Test
  void arrayFeaturesWithIdsAndTargetsGiveDxAndYAsParquetById(@TempDir Path dir) {
    Path out = dir.resolve("mse");
    run("backward", arrayFeaturesWithTargets(), out, "--id-col", "id", "--labels-col",
        "targets", "--loss", "mse", "--input-grad", "--save-output");

    double[][] y = NaiveOracle.forward(x, w, b);
    NaiveOracle.Head head = NaiveOracle.mse(y, t);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), false);
    assertRows("Y", out.resolve("Y"), y, false);
    assertThat(spark.read().parquet(out.resolve("dX").toString()).schema().simpleString())
        .isEqualTo("struct<id:bigint,values:array<double>>");
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
    assertThat(report(out).path("outputs").path("dX").asText()).isEqualTo("dX");
  }

  @Test
  void float32PassWritesFloatArrays(@TempDir Path dir) {
    Path out = dir.resolve("f32");
    run("backward", arrayFeaturesWithTargets(), out, "--dtype", "float32", "--id-col", "id",
        "--labels-col", "targets", "--loss", "mse", "--input-grad", "--save-output");

    double[][] x32 = NaiveOracle.roundToFloat(x);
    double[][] w32 = NaiveOracle.roundToFloat(w);
    double[][] y = NaiveOracle.forward(x32, w32, b);
    NaiveOracle.Grads expected = NaiveOracle.grads(x32, w32, NaiveOracle.mse(y, t).g());
    assertThat(spark.read().parquet(out.resolve("dX").toString()).schema().simpleString())
        .isEqualTo("struct<id:bigint,values:array<float>>");
    Map<Long, double[]> dx = readRows(spark, out.resolve("dX"));
    Map<Long, double[]> ys = readRows(spark, out.resolve("Y"));
    for (int r = 0; r < N; r++) {
      assertClose("dX row id " + id(r), dx.get(id(r)), expected.dx()[r], NaiveOracle.F32);
      assertClose("Y row id " + id(r), ys.get(id(r)), y[r], NaiveOracle.F32);
    }
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), NaiveOracle.F32);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), NaiveOracle.F32);
  }

  /**
   * MLlib vectors, dense and sparse in one column (VectorAssembler's output), are read from the
   * scan's columnar batches and give the bits of an array<double> column of the same numbers.
   */
  @Test
  void mllibVectorFeaturesGiveTheArrayColumnsBits(@TempDir Path dir) throws Exception {
    double[][] xs = new double[N][];
    for (int r = 0; r < N; r++) {
      xs[r] = x[r].clone();
      if (r % 3 == 0) {
        xs[r][r % D] = 0.0;
      }
    }
    IntFunction<Object> vector = r -> r % 3 == 0 ? Vectors.dense(xs[r]).toSparse()
        : Vectors.dense(xs[r]);
    Path vectors = parquet("vectors.parquet", new StructType().add("id", DataTypes.LongType)
        .add("features", SQLDataTypes.VectorType()).add("targets", DOUBLES),
        r -> RowFactory.create(id(r), vector.apply(r), t[r]), 1);
    Path arrays = parquet("vector-twin.parquet", new StructType().add("id", DataTypes.LongType)
        .add("features", DOUBLES).add("targets", DOUBLES),
        r -> RowFactory.create(id(r), xs[r], t[r]), 1);
    String[] flags = {"--id-col", "id", "--labels-col", "targets", "--loss", "mse",
        "--input-grad", "--save-output"};
    Path fromVectors = dir.resolve("vectors");
    List<String> callSites;
    try (JobCounter jobs = new JobCounter(spark)) {
      run("backward", vectors, fromVectors, flags);
      callSites = jobs.callSites();
    }
    Path fromArrays = dir.resolve("arrays");
    run("backward", arrays, fromArrays, flags);

    assertThat(callSites).anyMatch(site -> site.contains("ColumnarInput"));
    for (String file : List.of("dW.npy", "db.npy")) {
      assertThat(Files.readAllBytes(fromVectors.resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(fromArrays.resolve(file)));
    }
    for (String rows : List.of("dX", "Y")) {
      Map<Long, double[]> a = readRows(spark, fromVectors.resolve(rows));
      Map<Long, double[]> b = readRows(spark, fromArrays.resolve(rows));
      assertThat(a.keySet()).as(rows).isEqualTo(b.keySet());
      a.forEach((id, values) -> assertThat(values).as(rows + " row id " + id)
          .isEqualTo(b.get(id)));
    }
    assertThat(report(fromVectors).path("lossValue").asDouble())
        .isEqualTo(report(fromArrays).path("lossValue").asDouble());
    assertRows("Y", fromVectors.resolve("Y"), NaiveOracle.forward(xs, w, b), false);
    assertThat(report(fromVectors).path("shapes").path("X").toString()).isEqualTo("[29,4]");
  }

  @Test
  void floatArrayFeaturesAreWidenedExactly(@TempDir Path dir) {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    Path input = parquet("floats.parquet", schema, r -> {
      float[] f = new float[D];
      for (int c = 0; c < D; c++) {
        f[c] = (float) x[r][c];
      }
      return RowFactory.create(id(r), f);
    }, 2);
    Path out = dir.resolve("f");
    run("backward", input, out, "--id-col", "id", "--loss", "sum", "--input-grad");

    double[][] x32 = NaiveOracle.roundToFloat(x);
    double[][] y = NaiveOracle.forward(x32, w, b);
    NaiveOracle.Grads expected = NaiveOracle.grads(x32, w, NaiveOracle.constant(y, false).g());
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), false);
  }

  @Test
  void numericColumnsTogetherAreTheFeatures(@TempDir Path dir) {
    // a double, b int, c float, d double; 'tag' and 'id' are not features.
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("a", DataTypes.DoubleType, false).add("b", DataTypes.IntegerType, false)
        .add("tag", DataTypes.StringType, false).add("c", DataTypes.FloatType, false)
        .add("d", DataTypes.DoubleType, false);
    double[][] cols = new double[N][D];
    for (int r = 0; r < N; r++) {
      cols[r] = new double[] {x[r][0], Math.round(10 * x[r][1]), (float) x[r][2], x[r][3]};
    }
    Path input = parquet("columns.parquet", schema, r -> RowFactory.create(id(r), cols[r][0],
        (int) cols[r][1], "row" + r, (float) cols[r][2], cols[r][3]), 2);
    Path out = dir.resolve("cols");
    run("backward", input, out, "--id-col", "id", "--features-cols", "a,b,c,d", "--loss",
        "mean", "--input-grad", "--save-output");

    double[][] y = NaiveOracle.forward(cols, w, b);
    NaiveOracle.Grads expected = NaiveOracle.grads(cols, w, NaiveOracle.constant(y, true).g());
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), false);
    assertRows("Y", out.resolve("Y"), y, false);
  }

  @Test
  void suppliedUpstreamInShuffledOrderIsJoinedById(@TempDir Path dir) {
    List<Row> gRows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      gRows.add(RowFactory.create(upstream[r], id(r)));
    }
    Collections.shuffle(gRows, new Random(5));
    StructType gSchema = new StructType()
        .add("g", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("id", DataTypes.LongType, false);
    Path g = inputs.resolve("G.parquet");
    spark.createDataFrame(gRows, gSchema).coalesce(1).write().parquet(g.toString());
    Path out = dir.resolve("up");
    run("backward", arrayFeaturesWithTargets(), out, "--upstream", g.toString(), "--id-col",
        "id", "--input-grad");

    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, upstream);
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), false);
    assertClose("lossValue", report(out).path("lossValue").asDouble(),
        NaiveOracle.surrogate(upstream, NaiveOracle.forward(x, w, b)), F64);
  }

  @Test
  void softmaxCrossEntropyWithAnIntegerLabelColumn(@TempDir Path dir) {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("label", DataTypes.IntegerType, false);
    Path input = parquet("classes.parquet", schema,
        r -> RowFactory.create(id(r), x[r], labels[r]), 3);
    Path out = dir.resolve("ce");
    run("backward", input, out, "--id-col", "id", "--labels-col", "label", "--loss",
        "softmax-ce", "--input-grad");

    NaiveOracle.Head head = NaiveOracle.softmaxCrossEntropy(NaiveOracle.forward(x, w, b),
        labels);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), false);
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
  }

  /** X in input order with ids N-1..0: aligning by id value instead of index reverses rows. */
  private static Path reversedIds() {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return parquet("reversed.parquet", schema,
        r -> RowFactory.create((long) (N - 1 - r), x[r]), 1);
  }

  /** Rows of an output keyed by X's ids N-1-r, as the oracle's rows r. */
  private static void assertReversedRows(String what, Path dir, double[][] expected) {
    Map<Long, double[]> rows = readRows(spark, dir);
    assertThat(rows).as(what + " rows").hasSize(expected.length);
    for (int r = 0; r < expected.length; r++) {
      assertClose(what + " row id " + (N - 1 - r), rows.get((long) (N - 1 - r)), expected[r],
          F64);
    }
  }

  @Test
  void npyLabelsAlignByRowIndexEvenWithAnIdColumn(@TempDir Path dir) {
    Path targets = npy(inputs.resolve("T-by-index.npy"), t);
    Path out = dir.resolve("mse");
    run("backward", reversedIds(), out, "--id-col", "id", "--loss", "mse", "--labels",
        targets.toString(), "--input-grad");

    NaiveOracle.Head head = NaiveOracle.mse(NaiveOracle.forward(x, w, b), t);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertGradients(out, expected);
    assertReversedRows("dX", out.resolve("dX"), expected.dx());
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
  }

  @Test
  void npyClassLabelsAlignByRowIndexEvenWithAnIdColumn(@TempDir Path dir) {
    Path classes = E2eFiles.npyInts(inputs.resolve("classes-by-index.npy"), labels);
    Path out = dir.resolve("ce");
    run("backward", reversedIds(), out, "--id-col", "id", "--loss", "softmax-ce", "--labels",
        classes.toString());

    NaiveOracle.Head head = NaiveOracle.softmaxCrossEntropy(NaiveOracle.forward(x, w, b),
        labels);
    assertGradients(out, NaiveOracle.grads(x, w, head.g()));
  }

  @Test
  void npyUpstreamAndUpstreamWithoutIdsAlignByRowIndex(@TempDir Path dir) {
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, upstream);
    Path gNpy = npy(inputs.resolve("G-by-index.npy"), upstream);
    Path out = dir.resolve("npy");
    run("backward", reversedIds(), out, "--id-col", "id", "--upstream", gNpy.toString(),
        "--input-grad");
    assertGradients(out, expected);
    assertReversedRows("dX", out.resolve("dX"), expected.dx());

    StructType gSchema = new StructType()
        .add("g", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    Path gNoIds = parquet("G-no-ids.parquet", gSchema,
        r -> RowFactory.create((Object) upstream[r]), 1);
    Path dataset = dir.resolve("dataset");
    run("backward", reversedIds(), dataset, "--id-col", "id", "--upstream", gNoIds.toString(),
        "--input-grad");
    assertGradients(dataset, expected);
    assertReversedRows("dX", dataset.resolve("dX"), expected.dx());
  }

  @Test
  void theOnlyArrayColumnIsTheFeaturesWhateverItsName(@TempDir Path dir) {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("embedding", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("weight", DataTypes.DoubleType, false);
    Path input = parquet("embedding.parquet", schema,
        r -> RowFactory.create(id(r), x[r], 0.5 * r), 2);
    Path out = dir.resolve("emb");
    run("backward", input, out, "--id-col", "id", "--loss", "sum", "--input-grad");

    NaiveOracle.Grads expected = NaiveOracle.grads(x, w,
        NaiveOracle.constant(NaiveOracle.forward(x, w, b), false).g());
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), false);
  }

  @Test
  void withoutAnIdColumnRowsAreNumberedInInputOrderAndNpyLabelsAlignByIndex(
      @TempDir Path dir) {
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    Path input = parquet("noid.parquet", schema, r -> RowFactory.create((Object) x[r]), 1);
    Path targets = npy(inputs.resolve("T.npy"), t);
    Path out = dir.resolve("noid");
    run("backward", input, out, "--loss", "mse", "--labels", targets.toString(),
        "--input-grad", "--partitions", "2");

    double[][] y = NaiveOracle.forward(x, w, b);
    NaiveOracle.Head head = NaiveOracle.mse(y, t);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertGradients(out, expected);
    assertRows("dX", out.resolve("dX"), expected.dx(), true);
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
  }
}
