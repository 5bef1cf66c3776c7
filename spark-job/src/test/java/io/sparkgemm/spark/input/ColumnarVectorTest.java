package io.sparkgemm.spark.input;

import static io.sparkgemm.spark.input.ColumnarInputTest.assertSameBits;
import static io.sparkgemm.spark.input.ColumnarInputTest.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MLlib vector features (Spark's VectorUDT, as VectorAssembler writes them) read from Parquet's
 * columnar batches: dense, sparse and both in one column give the row path's partitions, blocks,
 * row ids and bits, and its refusals of bad vectors; vectors no Spark vector can be are refused
 * with their row id ({@link VectorFileWriter}).
 */
class ColumnarVectorTest {
  private static final int N = 1000;
  private static final int D = 6;
  private static final int K = 3;
  /** Finite as a double, infinite as a float: a float32 block holds Inf, as the row path's. */
  private static final double HUGE = 1e300;

  @TempDir
  static Path dir;

  static SparkSession spark;
  /** x[r]: row r's features, about half of them zero (ids are 5·r + 7). */
  static double[][] x;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("ColumnarVectorTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    Random random = new Random(16L);
    x = new double[N][D];
    for (int r = 0; r < N; r++) {
      for (int j = 0; j < D; j++) {
        // values with bits below float precision, so casts show
        x[r][j] = random.nextBoolean() ? 0.0
            : random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3);
      }
    }
    Arrays.fill(x[5], 0.0);
    x[17][2] = HUGE;
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("dense", new VectorUDT(), false)
        .add("sparse", new VectorUDT(), false)
        .add("features", new VectorUDT(), false)
        .add("label", DataTypes.IntegerType, false)
        .add("target", DataTypes.DoubleType, false)
        .add("t", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      Vector dense = Vectors.dense(x[r]);
      Vector sparse = dense.toSparse();
      rows.add(RowFactory.create(5L * r + 7, dense, sparse, r % 3 == 0 ? sparse : dense,
          r % K, x[r][3] * 2 + 1, List.of((double) r, x[r][4] + 1, (double) -r)));
    }
    spark.createDataFrame(rows, schema).repartition(3).write().parquet(path("x.parquet"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (DType dtype : DType.values()) {
      cases.add(Arguments.of("dense, ids assigned, no labels", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.featuresCol("dense")));
      cases.add(Arguments.of("sparse, id column, classes", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.featuresCol("sparse")
              .idCol("id").labels(LabelKind.CLASSES, "label", null).numClasses(K)));
      cases.add(Arguments.of("mixed, array targets, 5 partitions", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.partitions(5)
              .labels(LabelKind.TARGETS, "t", null)));
      cases.add(Arguments.of("mixed, id column, scalar targets", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.idCol("id")
              .labels(LabelKind.TARGETS, "target", null)));
      cases.add(Arguments.of("sparse, --deterministic, ids assigned, 2 partitions", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.featuresCol("sparse")
              .partitions(2).deterministic(true)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void vectorBlocksAreTheRowPathsBitForBit(String name, DType dtype,
      Function<InputSpec.Builder, InputSpec.Builder> options) {
    InputSpec spec = options.apply(InputSpec.builder(path("x.parquet")).dtype(dtype)
        .blockRows(64)).build();
    BlockedInput columnar = InputLoader.load(spark, spec);
    BlockedInput rows = InputLoader.loadFromRows(spark, spec);
    try {
      // the columnar path was taken: its blocks come from ColumnarInput's scan
      assertThat(columnar.blocks().toDebugString()).contains("ColumnarInput");
      assertThat(rows.blocks().toDebugString()).doesNotContain("ColumnarInput");
      assertThat(columnar.numFeatures()).isEqualTo(D);
      List<List<LabeledBlock>> a = columnar.blocks().glom().collect();
      List<List<LabeledBlock>> b = rows.blocks().glom().collect();
      assertThat(a).hasSameSizeAs(b);
      for (int p = 0; p < a.size(); p++) {
        assertThat(a.get(p)).hasSameSizeAs(b.get(p));
        for (int i = 0; i < a.get(p).size(); i++) {
          assertSameBits(a.get(p).get(i), b.get(p).get(i));
        }
      }
      assertThat(columnar.numRows()).isEqualTo(N);
    } finally {
      columnar.release();
      rows.release();
    }
  }

  /** Against the numbers written: dense and sparse rows by id, as the block's dtype asks. */
  @Test
  void vectorBlocksHoldTheValuesWritten() {
    for (DType dtype : DType.values()) {
      InputSpec spec = InputSpec.builder(path("x.parquet")).dtype(dtype).idCol("id")
          .blockRows(64).allowNonFinite(true).build();
      BlockedInput in = InputLoader.load(spark, spec);
      boolean[] seen = new boolean[N];
      for (LabeledBlock block : in.blocks().collect()) {
        DenseBlock xb = block.x();
        for (int i = 0; i < block.numRows(); i++) {
          int r = (int) ((xb.rowId(i) - 7) / 5);
          seen[r] = true;
          for (int j = 0; j < D; j++) {
            if (dtype == DType.FLOAT64) {
              assertThat(xb.doubles()[i * D + j]).isEqualTo(x[r][j]);
            } else {
              assertThat(xb.floats()[i * D + j]).isEqualTo((float) x[r][j]);
            }
          }
        }
      }
      assertThat(seen).doesNotContain(false);
      in.release();
    }
  }

  /** A vector of targets is read as rows: only features are read from vectors' batches. */
  @Test
  void vectorTargetsAreReadAsRows() {
    InputSpec spec = InputSpec.builder(path("x.parquet")).featuresCol("dense")
        .labels(LabelKind.TARGETS, "sparse", null).build();
    BlockedInput in = InputLoader.load(spark, spec);
    assertThat(in.blocks().toDebugString()).doesNotContain("ColumnarInput");
    assertThat(in.labelWidth()).isEqualTo(D);
    in.release();
  }

  /** Bad vectors Spark can write, in the row with id 7, refused as the row path does. */
  static Stream<Arguments> badVectors() {
    double[] nan = {0, 1, 2, Double.NaN, 4, 5};
    double[] inf = {0, 1, 0, 0, Double.POSITIVE_INFINITY, 0};
    return Stream.of(
        Arguments.of("null vector", null, 0, "row id 7 has null features"),
        Arguments.of("short dense", Vectors.dense(1, 2, 3, 4, 5), 0,
            "row id 7 has 5 features but the first row has 6"),
        Arguments.of("long sparse", Vectors.sparse(D + 1, new int[] {1}, new double[] {2}), 1,
            "row id 7 has 7 features but the first row has 6"),
        Arguments.of("NaN dense", Vectors.dense(nan), 0,
            "row id 7 has NaN in features column 3"),
        Arguments.of("NaN dense float32", Vectors.dense(nan), 1,
            "row id 7 has NaN in features column 3"),
        Arguments.of("NaN sparse", Vectors.dense(nan).toSparse(), 0,
            "row id 7 has NaN in features column 3"),
        Arguments.of("Inf sparse float32", Vectors.dense(inf).toSparse(), 1,
            "row id 7 has Infinity in features column 4"));
  }

  /** @param dtype 0 for float64 blocks, 1 for float32 */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badVectors")
  void badVectorsAreRefusedAsByTheRowPath(String name, Vector bad, int dtype, String expected) {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", new VectorUDT(), true);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      double[] v = new double[D];
      Arrays.fill(v, r + 0.25);
      rows.add(RowFactory.create(4L + r, r == 3 ? bad : Vectors.dense(v)));
    }
    String file = path("bad-" + name.replace(' ', '-') + ".parquet");
    spark.createDataFrame(rows, schema).coalesce(1).write().mode("overwrite").parquet(file);
    InputSpec spec = InputSpec.builder(file).idCol("id")
        .dtype(dtype == 0 ? DType.FLOAT64 : DType.FLOAT32).build();
    Throwable columnar = refusal(catchThrowable(() -> InputLoader.load(spark, spec)));
    Throwable rowPath = refusal(catchThrowable(() -> InputLoader.loadFromRows(spark, spec)));
    assertThat(columnar).hasMessageContaining(expected);
    assertThat(columnar.getMessage()).isEqualTo(rowPath.getMessage());
    assertRaisedByColumnarReader(columnar);
  }

  /** Vectors no Spark vector can be, in the row with id 7 of a file written without Spark. */
  static Stream<Arguments> malformedVectors() {
    return Stream.of(
        Arguments.of("index out of range", 0, D, new int[] {1, D + 1}, new double[] {1, 2},
            "row id 7 has a sparse features vector of size 6 with index 7 (indices must be "
                + "in 0..5)"),
        Arguments.of("negative index", 0, D, new int[] {-1}, new double[] {1},
            "row id 7 has a sparse features vector of size 6 with index -1 (indices must be "
                + "in 0..5)"),
        Arguments.of("repeated index", 0, D, new int[] {2, 2}, new double[] {1, 2},
            "row id 7 has a sparse features vector with index 2 after 2 (indices must be "
                + "strictly increasing)"),
        Arguments.of("more indices than values", 0, D, new int[] {1, 2}, new double[] {1},
            "row id 7 has a sparse features vector with 2 indices but 1 values"),
        Arguments.of("sparse without size", 0, null, new int[] {1}, new double[] {1},
            "row id 7 has a sparse features vector without its size"),
        Arguments.of("sparse without indices", 0, D, null, new double[] {1},
            "row id 7 has a features vector with null indices"),
        Arguments.of("dense without values", 1, null, null, null,
            "row id 7 has a features vector with null values"),
        Arguments.of("type 2", 2, null, null, new double[] {1, 2, 3, 4, 5, 6},
            "row id 7 has a features vector of type 2, expected 0 (sparse) or 1 (dense)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedVectors")
  void malformedVectorsAreRefusedWithTheirRowId(String name, int type, Integer size,
      int[] indices, double[] values, String expected) throws Exception {
    Path file = dir.resolve("malformed-" + name.replace(' ', '-') + ".parquet");
    VectorFileWriter.write(file, D, 10, 3, type, size, indices, values);
    InputSpec spec = InputSpec.builder(file.toString()).idCol("id").build();
    Throwable columnar = refusal(catchThrowable(() -> InputLoader.load(spark, spec)));
    assertThat(columnar).hasMessage(file + ": " + expected);
    assertRaisedByColumnarReader(columnar);
  }

  private static void assertRaisedByColumnarReader(Throwable refusal) {
    assertThat(Arrays.stream(refusal.getStackTrace()))
        .anyMatch(e -> e.getClassName().endsWith(".ColumnarBlockIterator"))
        .noneMatch(e -> e.getClassName().endsWith(".BlockIterator")
            && e.getMethodName().equals("next"));
  }
}
