package io.sparkgemm.spark.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aligning X with labels or G: by row id in any order, by row index, and the refusals (a
 * duplicate id, a missing row, an extra row). Each X row's features encode its id (x = 10·id)
 * and each label row's value encodes the row it belongs to, so a pairing is checked by
 * arithmetic, not by the code under test.
 */
class JoinsTest {
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("JoinsTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
        .getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static final StructType X_WITH_ID = new StructType()
      .add("__id", DataTypes.LongType, false)
      .add("__x", DataTypes.createArrayType(DataTypes.DoubleType), false);
  private static final StructType X_WITHOUT_ID = new StructType()
      .add("__x", DataTypes.createArrayType(DataTypes.DoubleType), false);
  private static final StructType LABEL_WITH_ID = new StructType()
      .add("__id", DataTypes.LongType, false)
      .add("__label", DataTypes.DoubleType, false);
  private static final StructType LABEL = new StructType()
      .add("__label", DataTypes.DoubleType, false);

  /** X rows with these ids (in this order) and x = (10·id). */
  private static Dataset<Row> x(long... ids) {
    List<Row> rows = new ArrayList<>();
    for (long id : ids) {
      rows.add(RowFactory.create(id, new double[] {10.0 * id}));
    }
    return spark.createDataFrame(rows, X_WITH_ID).repartition(2);
  }

  /** Label rows for these ids (in this order) with label = id + 0.5. */
  private static Dataset<Row> labels(long... ids) {
    List<Row> rows = new ArrayList<>();
    for (long id : ids) {
      rows.add(RowFactory.create(id, id + 0.5));
    }
    return spark.createDataFrame(rows, LABEL_WITH_ID).repartition(3);
  }

  /** id → (first feature, label) of the aligned rows. */
  private static Map<Long, double[]> pairs(Dataset<Row> aligned) {
    Map<Long, double[]> out = new HashMap<>();
    for (Row r : aligned.select("__id", "__x", "__label").collectAsList()) {
      List<Double> x = r.getList(1);
      assertThat(out.put(r.getLong(0), new double[] {x.get(0), r.getDouble(2)})).isNull();
    }
    return out;
  }

  @Test
  void byIdEveryRowFindsItsPartnerInAnyOrder() {
    Map<Long, double[]> pairs = pairs(Joins.alignById(x(4, 0, 9, 2, 7), labels(7, 2, 0, 9, 4),
        "G", "x.parquet"));
    assertThat(pairs).hasSize(5);
    for (long id : new long[] {0, 2, 4, 7, 9}) {
      assertThat(pairs.get(id)).as("row id %d", id).containsExactly(10.0 * id, id + 0.5);
    }
  }

  @Test
  void byIdRefusesDuplicateIdsOnEitherSide() {
    assertThatThrownBy(() -> Joins.alignById(x(1, 2, 2), labels(1, 2, 3), "G", "x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row id 2 appears 2 times");
    assertThatThrownBy(() -> Joins.alignById(x(1, 2, 3), labels(1, 3, 3), "G", "x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("G: row id 3 appears 2 times");
  }

  @Test
  void byIdRefusesAMissingOrAnExtraRow() {
    assertThatThrownBy(() -> Joins.alignById(x(1, 2, 3), labels(1, 3), "G", "x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("G has no row for row id 2 of X");
    assertThatThrownBy(() -> Joins.alignById(x(1, 2), labels(1, 2, 8), "G", "x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("G has 3 rows but X has 2")
        .hasMessageContaining("row id 8 is not in X");
  }

  @Test
  void byIndexRowRGoesWithRowRWhateverTheIds() {
    // X keeps its own ids (30, 10, 20); labels have none: the r-th label goes with the r-th row.
    Dataset<Row> x = spark.createDataFrame(List.of(RowFactory.create(30L, new double[] {300}),
        RowFactory.create(10L, new double[] {100}), RowFactory.create(20L, new double[] {200})),
        X_WITH_ID);
    Dataset<Row> labels = spark.createDataFrame(List.of(RowFactory.create(30.5),
        RowFactory.create(10.5), RowFactory.create(20.5)), LABEL);
    Map<Long, double[]> pairs = pairs(Joins.alignByIndex(spark, x, labels, "labels",
        "x.csv"));
    assertThat(pairs).hasSize(3);
    for (long id : new long[] {10, 20, 30}) {
      assertThat(pairs.get(id)).as("row id %d", id).containsExactly(10.0 * id, id + 0.5);
    }
  }

  @Test
  void byIndexWithoutIdsTheRowIndexBecomesTheId() {
    List<Row> xRows = new ArrayList<>();
    List<Row> labelRows = new ArrayList<>();
    for (int r = 0; r < 7; r++) {
      xRows.add(RowFactory.create((Object) new double[] {10.0 * r}));
      // an .npy label file brings its row index as __id, listed here in reverse
      labelRows.add(RowFactory.create(6L - r, 6 - r + 0.5));
    }
    Dataset<Row> x = spark.createDataFrame(xRows, X_WITHOUT_ID).coalesce(2);
    Dataset<Row> labels = spark.createDataFrame(labelRows, LABEL_WITH_ID);
    Map<Long, double[]> pairs = pairs(Joins.alignByIndex(spark, x, labels, "labels", "x.csv"));
    assertThat(pairs).hasSize(7);
    for (long r = 0; r < 7; r++) {
      assertThat(pairs.get(r)).as("row %d", r).containsExactly(10.0 * r, r + 0.5);
    }
  }

  @Test
  void byIndexRefusesDifferentRowCounts() {
    Dataset<Row> x = spark.createDataFrame(List.of(RowFactory.create((Object) new double[] {1}),
        RowFactory.create((Object) new double[] {2})), X_WITHOUT_ID);
    Dataset<Row> labels = spark.createDataFrame(List.of(RowFactory.create(0.5)), LABEL);
    assertThatThrownBy(() -> Joins.alignByIndex(spark, x, labels, "labels", "x.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels has 1 rows but X (x.csv) has 2");
  }

  @Test
  void withRowIndexNumbersRowsInInputOrder() {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      rows.add(RowFactory.create(r + 0.25));
    }
    Dataset<Row> indexed = Joins.withRowIndex(spark,
        spark.createDataFrame(rows, LABEL).coalesce(3), "__row");
    for (Row r : indexed.collectAsList()) {
      assertThat(r.getDouble(0)).isEqualTo(r.getLong(1) + 0.25);
    }
  }
}
