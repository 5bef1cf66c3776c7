package io.sparkgemm.spark;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Aligns X's rows with rows of another dataset (a supplied G, or labels from a .npy file) by row
 * id, in any row order. Every X row must find exactly one partner and the other side must have
 * no rows beyond X's.
 */
final class Joins {
  private Joins() {
  }

  /**
   * @param x rows with {@code __id} and {@code __x}
   * @param other rows with {@code __id} and {@code __label}
   * @return x's rows with {@code __label} added
   */
  static Dataset<Row> alignById(Dataset<Row> x, Dataset<Row> other, String what) {
    List<Row> duplicate = other.groupBy("__id").count().filter(col("count").gt(1))
        .takeAsList(1);
    if (!duplicate.isEmpty()) {
      throw new IllegalArgumentException(what + ": row id " + duplicate.get(0).getLong(0)
          + " appears " + duplicate.get(0).getLong(1) + " times (ids must be unique)");
    }
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
}
