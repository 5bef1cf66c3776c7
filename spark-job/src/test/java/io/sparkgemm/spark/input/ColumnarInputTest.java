package io.sparkgemm.spark.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
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
 * Blocks from Parquet's columnar batches against blocks from rows: the same partitions, blocks,
 * row ids and bits for array<double>, array<float>, integer arrays and numeric columns, with
 * and without ids, classes and targets, float64 and float32; the values against the numbers
 * written; and the same refusals of bad rows, raised by the columnar reader.
 */
class ColumnarInputTest {
  private static final int N = 1000;
  private static final int D = 6;
  private static final int K = 3;
  /** Finite as a double, infinite as a float: a float32 block holds Inf, as the row path's. */
  private static final double HUGE = 1e300;

  @TempDir
  static Path dir;

  static SparkSession spark;
  /** x[r]: row r's features as written (ids are 5·r + 7 where there is an id column). */
  static double[][] x;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("ColumnarInputTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    Random random = new Random(15L);
    x = new double[N][D];
    for (int r = 0; r < N; r++) {
      for (int j = 0; j < D; j++) {
        // values with bits below float precision, so casts show
        x[r][j] = random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3);
      }
    }
    x[17][2] = HUGE;
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("f32", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("big", DataTypes.createArrayType(DataTypes.LongType, false), false)
        .add("c0", DataTypes.DoubleType, false)
        .add("c1", DataTypes.FloatType, false)
        .add("c2", DataTypes.IntegerType, false)
        .add("c3", DataTypes.LongType, false)
        .add("c4", DataTypes.ShortType, false)
        .add("label", DataTypes.IntegerType, false)
        .add("target", DataTypes.DoubleType, false)
        .add("t", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      Float[] f = new Float[D];
      Long[] big = new Long[D];
      for (int j = 0; j < D; j++) {
        f[j] = x[r][j] == HUGE ? Float.MAX_VALUE : (float) x[r][j];
        // longs that a double rounds, and a float rounds again
        big[j] = (1L << 60) + 3L * r + j;
      }
      rows.add(RowFactory.create(5L * r + 7, boxed(x[r]), Arrays.asList(f), Arrays.asList(big),
          x[r][0], (float) x[r][1], r * 3 - 1000, (1L << 55) + r, (short) (r % 300),
          r % K, x[r][3] * 2, boxed(new double[] {r, x[r][4], -r})));
    }
    spark.createDataFrame(rows, schema).repartition(3).write()
        .parquet(path("x.parquet"));
    // wider than Spark's 100 fields for whole-stage code (and so for batched reads)
    StructType wide = new StructType();
    for (int j = 0; j < WIDE; j++) {
      wide = wide.add("w" + j, j % 2 == 0 ? DataTypes.DoubleType : DataTypes.IntegerType, false);
    }
    List<Row> wideRows = new ArrayList<>();
    for (int r = 0; r < 200; r++) {
      Object[] values = new Object[WIDE];
      for (int j = 0; j < WIDE; j++) {
        values[j] = j % 2 == 0 ? (Object) (x[r][j % D] + j) : (Object) (r * j - 77);
      }
      wideRows.add(RowFactory.create(values));
    }
    spark.createDataFrame(wideRows, wide).repartition(2).write().parquet(path("wide.parquet"));
  }

  private static final int WIDE = 130;

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }

  private static List<Double> boxed(double[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (DType dtype : DType.values()) {
      cases.add(Arguments.of("array<double>, ids assigned, no labels", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b));
      cases.add(Arguments.of("array<double>, id column, classes", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.idCol("id")
              .labels(LabelKind.CLASSES, "label", null).numClasses(K)));
      cases.add(Arguments.of("array<double>, scalar targets, 5 partitions", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.partitions(5)
              .labels(LabelKind.TARGETS, "target", null)));
      cases.add(Arguments.of("array<float>, id column, array targets", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.featuresCol("f32")
              .idCol("id").labels(LabelKind.TARGETS, "t", null)));
      cases.add(Arguments.of("array<bigint>, classes", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.featuresCol("big")
              .labels(LabelKind.CLASSES, "label", null)));
      cases.add(Arguments.of("numeric columns, classes, 4 partitions", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.partitions(4)
              .featuresCols(List.of("c3", "c0", "c1", "c2", "c4"))
              .labels(LabelKind.CLASSES, "label", null)));
      cases.add(Arguments.of("--deterministic, ids assigned, 2 partitions", dtype,
          (Function<InputSpec.Builder, InputSpec.Builder>) b -> b.partitions(2)
              .deterministic(true).labels(LabelKind.TARGETS, "t", null)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void columnarBlocksAreTheRowPathsBitForBit(String name, DType dtype,
      Function<InputSpec.Builder, InputSpec.Builder> options) {
    // 1e300 passes the finiteness check and is Inf in float32 blocks, on both paths
    InputSpec spec = options.apply(InputSpec.builder(path("x.parquet")).dtype(dtype)
        .blockRows(64)).build();
    BlockedInput columnar = InputLoader.load(spark, spec);
    BlockedInput rows = InputLoader.loadFromRows(spark, spec);
    try {
      assertThat(columnar.blocks().toDebugString()).contains("ColumnarInput");
      assertThat(rows.blocks().toDebugString()).doesNotContain("ColumnarInput");
      assertThat(columnar.numPartitions()).isEqualTo(rows.numPartitions());
      List<List<LabeledBlock>> a = columnar.blocks().glom().collect();
      List<List<LabeledBlock>> b = rows.blocks().glom().collect();
      assertThat(a).hasSameSizeAs(b);
      long total = 0;
      for (int p = 0; p < a.size(); p++) {
        assertThat(a.get(p)).hasSameSizeAs(b.get(p));
        for (int i = 0; i < a.get(p).size(); i++) {
          assertSameBits(a.get(p).get(i), b.get(p).get(i));
          total += a.get(p).get(i).numRows();
        }
      }
      assertThat(total).isEqualTo(N);
      assertThat(columnar.numRows()).isEqualTo(N);
    } finally {
      columnar.release();
      rows.release();
    }
  }

  static void assertSameBits(LabeledBlock a, LabeledBlock b) {
    assertSameBits(a.x(), b.x());
    assertThat(a.x().rowIds()).isEqualTo(b.x().rowIds());
    assertSameBits(a.targets(), b.targets());
    assertSameBits(a.upstream(), b.upstream());
    assertThat(a.classes()).isEqualTo(b.classes());
  }

  private static void assertSameBits(DenseBlock a, DenseBlock b) {
    if (a == null || b == null) {
      assertThat(a).isSameAs(b);
      return;
    }
    assertThat(a.dtype()).isEqualTo(b.dtype());
    assertThat(a.numRows()).isEqualTo(b.numRows());
    assertThat(a.numCols()).isEqualTo(b.numCols());
    if (a.dtype() == DType.FLOAT64) {
      assertThat(Arrays.stream(a.doubles()).mapToLong(Double::doubleToRawLongBits).toArray())
          .isEqualTo(Arrays.stream(b.doubles()).mapToLong(Double::doubleToRawLongBits)
              .toArray());
    } else {
      float[] fa = a.floats();
      float[] fb = b.floats();
      assertThat(fa.length).isEqualTo(fb.length);
      for (int i = 0; i < fa.length; i++) {
        assertThat(Float.floatToRawIntBits(fa[i])).isEqualTo(Float.floatToRawIntBits(fb[i]));
      }
    }
  }

  /** All-numeric files wider than 100 columns are read from batches too, bit for bit. */
  @Test
  void wideNumericColumnsAreColumnar() {
    for (DType dtype : DType.values()) {
      InputSpec spec = InputSpec.builder(path("wide.parquet")).dtype(dtype).blockRows(16)
          .build();
      BlockedInput columnar = InputLoader.load(spark, spec);
      BlockedInput rows = InputLoader.loadFromRows(spark, spec);
      assertThat(columnar.blocks().toDebugString()).contains("ColumnarInput");
      assertThat(columnar.numFeatures()).isEqualTo(WIDE);
      List<List<LabeledBlock>> a = columnar.blocks().glom().collect();
      List<List<LabeledBlock>> b = rows.blocks().glom().collect();
      assertThat(a).hasSameSizeAs(b);
      for (int p = 0; p < a.size(); p++) {
        assertThat(a.get(p)).hasSameSizeAs(b.get(p));
        for (int i = 0; i < a.get(p).size(); i++) {
          assertSameBits(a.get(p).get(i), b.get(p).get(i));
        }
      }
      columnar.release();
      rows.release();
    }
  }

  /**
   * The row path where rows must be sorted or joined: --deterministic with an id column, labels
   * from a .npy.
   */
  @Test
  void sortedIdsAndJoinsAreReadAsRows() throws Exception {
    InputSpec sorted = InputSpec.builder(path("x.parquet")).idCol("id").deterministic(true)
        .partitions(2).build();
    BlockedInput in = InputLoader.load(spark, sorted);
    assertThat(in.blocks().toDebugString()).doesNotContain("ColumnarInput");
    assertThat(in.numRows()).isEqualTo(N);
    in.release();
    Path labels = dir.resolve("labels.npy");
    writeInt32Npy(labels, N);
    InputSpec joined = InputSpec.builder(path("x.parquet"))
        .labels(LabelKind.CLASSES, null, labels.toString()).numClasses(K).build();
    in = InputLoader.load(spark, joined);
    assertThat(in.blocks().toDebugString()).doesNotContain("ColumnarInput");
    assertThat(in.numRows()).isEqualTo(N);
    in.release();
  }

  /** A .npy of n int32 labels r % K. */
  private static void writeInt32Npy(Path file, int n) throws Exception {
    StringBuilder header = new StringBuilder("{'descr': '<i4', 'fortran_order': False, "
        + "'shape': (" + n + ",), }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 4 * n)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1)
        .put((byte) 0).putShort((short) header.length())
        .put(header.toString().getBytes(StandardCharsets.US_ASCII));
    for (int r = 0; r < n; r++) {
      buf.putInt(r % K);
    }
    Files.write(file, buf.array());
  }

  /** Against the numbers written: X's rows by id, converted as the block's dtype asks. */
  @Test
  void columnarBlocksHoldTheValuesWritten() {
    for (DType dtype : DType.values()) {
      InputSpec spec = InputSpec.builder(path("x.parquet")).dtype(dtype).idCol("id")
          .labels(LabelKind.TARGETS, "t", null).blockRows(64).allowNonFinite(true).build();
      BlockedInput in = InputLoader.load(spark, spec);
      boolean[] seen = new boolean[N];
      for (LabeledBlock block : in.blocks().collect()) {
        DenseBlock xb = block.x();
        for (int i = 0; i < block.numRows(); i++) {
          int r = (int) ((xb.rowId(i) - 7) / 5);
          assertThat(xb.rowId(i)).isEqualTo(5L * r + 7);
          seen[r] = true;
          for (int j = 0; j < D; j++) {
            if (dtype == DType.FLOAT64) {
              assertThat(xb.doubles()[i * D + j]).isEqualTo(x[r][j]);
            } else {
              assertThat(xb.floats()[i * D + j]).isEqualTo((float) x[r][j]);
            }
          }
          assertThat(block.targets().doubles()[i * K]).isEqualTo(r);
          assertThat(block.targets().doubles()[i * K + 1]).isEqualTo(x[r][4]);
        }
      }
      assertThat(seen).doesNotContain(false);
      assertThat((float) HUGE).isInfinite();
      in.release();
    }
  }

  /** Bad rows, one per file, refused by the columnar reader with the row path's message. */
  static Stream<Arguments> badRows() {
    return Stream.of(
        Arguments.of("null features", DataTypes.DoubleType, "features", null, null, 0,
            "row id 7 has null features"),
        Arguments.of("null element", DataTypes.DoubleType, "features", 2, null, 0,
            "row id 7 has a null features value at position 2"),
        Arguments.of("short row", DataTypes.DoubleType, "features", -1, null, 0,
            "row id 7 has 5 features but the first row has 6"),
        Arguments.of("NaN", DataTypes.DoubleType, "features", 3, Double.NaN, 0,
            "row id 7 has NaN in features column 3"),
        Arguments.of("NaN float32", DataTypes.DoubleType, "features", 3, Double.NaN, 1,
            "row id 7 has NaN in features column 3"),
        Arguments.of("Inf in array<float>", DataTypes.FloatType, "features", 1,
            Double.POSITIVE_INFINITY, 1, "row id 7 has Infinity in features column 1"),
        Arguments.of("null id", DataTypes.DoubleType, "id", null, null, 0,
            "a row has a null id (after row id 6 of this partition)"),
        Arguments.of("null class", DataTypes.DoubleType, "label", null, null, 0,
            "row id 7 has a null class label"),
        Arguments.of("fractional class", DataTypes.DoubleType, "label", 2.5, null, 0,
            "row id 7 has class label 2.5, expected a non-negative integer class id"),
        Arguments.of("class out of range", DataTypes.DoubleType, "label", 3.0, null, 0,
            "Class label 3 at row id 7 is out of range"),
        Arguments.of("null targets", DataTypes.DoubleType, "t", null, null, 0,
            "row id 7 has null targets"),
        Arguments.of("Inf target", DataTypes.DoubleType, "t", 1, Double.NEGATIVE_INFINITY, 0,
            "row id 7 has -Infinity in targets column 1"),
        Arguments.of("long targets", DataTypes.DoubleType, "t", -1, null, 0,
            "row id 7 has 3 targets values but 2 were expected"));
  }

  /**
   * @param column the column made bad in the row with id 7 (row 3 of 10)
   * @param at the element (-1: the array one shorter than the others; null: the value null)
   * @param value the element's value, or null for a null element
   * @param dtype 0 for float64 blocks, 1 for float32
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badRows")
  void badRowsAreRefusedAsByTheRowPath(String name, DataType element, String column,
      Object at, Double value, int dtype, String expected) {
    boolean classes = column.equals("label");
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, true)
        .add("features", DataTypes.createArrayType(element, true), true)
        .add("label", DataTypes.DoubleType, true)
        .add("t", DataTypes.createArrayType(DataTypes.DoubleType, true), true);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      boolean bad = r == 3;
      List<Object> f = new ArrayList<>();
      for (int j = 0; j < D; j++) {
        double v = r + j / 8.0;
        f.add(element == DataTypes.FloatType ? (Object) (float) v : (Object) v);
      }
      List<Object> t = new ArrayList<>(List.of(1.0 * r, -1.0 * r));
      Object label = (double) (r % K);
      Object id = 4L + r;
      if (bad) {
        List<Object> target = column.equals("features") ? f : t;
        switch (column) {
          case "id": id = null; break;
          case "label": label = at == null ? null : at; break;
          default:
            if (at == null) {
              target = null;
            } else if ((Integer) at < 0) {
              if (target == f) {
                f.remove(0);
              } else {
                t.add(0.5);
              }
            } else if (value == null) {
              target.set((Integer) at, null);
            } else {
              double v = value;
              target.set((Integer) at, element == DataTypes.FloatType && target == f
                  ? (Object) (float) v : (Object) v);
            }
            if (column.equals("features")) {
              f = target;
            } else {
              t = target;
            }
        }
      }
      rows.add(RowFactory.create(id, f, label, t));
    }
    String file = path("bad-" + name.replace(' ', '-') + ".parquet");
    spark.createDataFrame(rows, schema).coalesce(1).write().mode("overwrite").parquet(file);
    InputSpec.Builder b = InputSpec.builder(file).idCol("id")
        .dtype(dtype == 0 ? DType.FLOAT64 : DType.FLOAT32);
    b = classes ? b.labels(LabelKind.CLASSES, "label", null).numClasses(K)
        : b.labels(LabelKind.TARGETS, "t", null);
    InputSpec spec = b.build();
    Throwable columnar = refusal(catchThrowable(() -> InputLoader.load(spark, spec)));
    Throwable rowPath = refusal(catchThrowable(() -> InputLoader.loadFromRows(spark, spec)));
    assertThat(columnar).hasMessageContaining(expected);
    assertThat(columnar.getMessage()).isEqualTo(rowPath.getMessage());
    // raised while the columnar reader stacked the rows, not the row path's iterator
    assertThat(Arrays.stream(columnar.getStackTrace()))
        .anyMatch(e -> e.getClassName().endsWith(".ColumnarBlockIterator"))
        .noneMatch(e -> e.getClassName().endsWith(".BlockIterator")
            && e.getMethodName().equals("next"));
  }

  /** The IllegalArgumentException in {@code t}'s causes (the executor's, in local mode). */
  static Throwable refusal(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IllegalArgumentException) {
        return c;
      }
    }
    throw new AssertionError("not refused as bad input", t);
  }
}
