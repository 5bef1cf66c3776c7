package io.sparkgemm.spark.input;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Aligns X's rows with rows of another dataset (a supplied G, or labels): by row id when both
 * have one (in any row order), else by row index (X's input order). Every X row must find
 * exactly one partner and the other side must have no rows beyond X's.
 */
final class Joins {
  private Joins() {
  }

  /**
   * @param x rows with {@code __id} and {@code __x}
   * @param other rows with {@code __id} and {@code __label}
   * @param source X's path, for messages
   * @return x's rows with {@code __label} added
   */
  static Dataset<Row> alignById(Dataset<Row> x, Dataset<Row> other, String what,
      String source) {
    // Every row of X must have exactly one row of G: an id twice in X would take one G row
    // twice and leave another out.
    requireUniqueIds(x, "X " + source, what);
    requireUniqueIds(other, what, null);
    Dataset<Row> right = other.withColumnRenamed("__id", "__oid");
    Dataset<Row> joined = x.join(right, col("__id").equalTo(col("__oid")), "left");
    List<Row> missing = joined.filter(col("__oid").isNull()).select("__id").takeAsList(1);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(what + " has no row for row id "
          + missing.get(0).getLong(0) + " of X");
    }
    long otherRows = other.count();
    long xRows = x.count();
    if (otherRows != xRows) {
      List<Row> extra = right.join(x, col("__id").equalTo(col("__oid")), "left_anti")
          .select("__oid").takeAsList(1);
      throw new IllegalArgumentException(what + " has " + otherRows + " rows but X has " + xRows
          + (extra.isEmpty() ? "" : " (e.g. row id " + extra.get(0).getLong(0)
          + " is not in X)"));
    }
    return joined.drop("__oid");
  }

  /**
   * Row r of {@code other} goes with row r of X in input order, whatever X's ids are.
   *
   * @param x rows with {@code __x} and, when X has an id column, {@code __id} (kept as the rows'
   *     ids); without one, {@code __id} is added as the row index
   * @param other rows with {@code __label}, and {@code __id} when that is its row index (.npy)
   * @return x's rows with {@code __id} and {@code __label}
   */
  static Dataset<Row> alignByIndex(SparkSession spark, Dataset<Row> x, Dataset<Row> other,
      String what, String source) {
    boolean xHasId = Arrays.asList(x.columns()).contains("__id");
    Dataset<Row> left = withRowIndex(spark, x, "__row");
    Dataset<Row> right = Arrays.asList(other.columns()).contains("__id")
        ? other.withColumnRenamed("__id", "__orow") : withRowIndex(spark, other, "__orow");
    long otherRows = right.count();
    long xRows = left.count();
    if (otherRows != xRows) {
      throw new IllegalArgumentException(what + " has " + otherRows + " rows but X (" + source
          + ") has " + xRows + " (rows are aligned by index: row r goes with row r of X)");
    }
    Dataset<Row> joined = left.join(right, col("__row").equalTo(col("__orow")), "inner")
        .drop("__orow");
    return xHasId ? joined.drop("__row") : joined.withColumnRenamed("__row", "__id");
  }

  /** Refuses an {@code __id} that appears more than once, naming it. */
  private static void requireUniqueIds(Dataset<Row> rows, String what, String alignedWith) {
    List<Row> duplicate = rows.groupBy("__id").count().filter(col("count").gt(1))
        .takeAsList(1);
    if (!duplicate.isEmpty()) {
      throw new IllegalArgumentException(what + ": row id " + duplicate.get(0).getLong(0)
          + " appears " + duplicate.get(0).getLong(1) + " times (ids must be unique"
          + (alignedWith == null ? "" : " when rows are aligned by id with the " + alignedWith)
          + ")");
    }
  }

  /** Appends {@code name} numbering rows 0..n-1 in input order. */
  static Dataset<Row> withRowIndex(SparkSession spark, Dataset<Row> df, String name) {
    StructType schema = df.schema().add(name, DataTypes.LongType, false);
    JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(t -> {
      Row r = t._1();
      Object[] values = new Object[r.length() + 1];
      for (int i = 0; i < r.length(); i++) {
        values[i] = r.get(i);
      }
      values[r.length()] = t._2();
      return RowFactory.create(values);
    });
    return spark.createDataFrame(rows, schema);
  }
}
