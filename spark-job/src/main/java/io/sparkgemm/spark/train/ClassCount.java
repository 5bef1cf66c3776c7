package io.sparkgemm.spark.train;

import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * k, the number of classes of softmax-ce when no W gives it, by MLlib's rule: the label
 * column's ML attribute when it has one ({@code MetadataUtils.getNumClasses}: numValues of a
 * nominal attribute, 2 of a binary one), else the largest class id + 1. Found without reading X
 * again: from a .npy labels file (a Spark job over its rows), from a Parquet footer, or from
 * the class ids of the cached blocks.
 */
public final class ClassCount {
  private ClassCount() {
  }

  /**
   * k and where it came from.
   *
   * @param numClasses k
   * @param how how it was found, for the log and the console
   */
  public record Count(int numClasses, String how) {
    /** One line: {@code k = 10 from the class labels (largest id 9)}. */
    public String describe() {
      return "k = " + numClasses + " from " + how;
    }
  }

  /**
   * k when it is known before X is read and blocked: from a .npy labels file (one Spark job over
   * its rows) or from the ML attribute of a Parquet label column.
   *
   * @return k, or null when it must be counted from the blocks ({@link #fromBlocks})
   */
  public static Count beforeLoading(SparkSession spark, InputSpec spec) {
    if (spec.labelsPath() != null) {
      return fromLabelsFile(spark, spec.labelsPath());
    }
    if (spec.labelsCol() == null || !InputSpec.formatOf(spec.x(), spec.format())
        .equals("parquet")) {
      return null;
    }
    StructType schema;
    try {
      // The footer only: no Spark job over the rows.
      schema = spark.read().parquet(spec.x()).schema();
    } catch (RuntimeException e) {
      return null; // the loader reports unreadable input in its own words
    }
    Option<Object> index = schema.getFieldIndex(spec.labelsCol());
    if (index.isEmpty()) {
      return null;
    }
    Integer k = fromMetadata(schema.fields()[(Integer) index.get()]);
    return k == null ? null : new Count(k, "the metadata of column '" + spec.labelsCol()
        + "' (numValues)");
  }

  /**
   * k from a .npy file of class labels: one Spark job, each task reading a range of rows (the
   * driver reads the header only).
   *
   * @return k, or null when the file is empty (the loader names the problem)
   */
  public static Count fromLabelsFile(SparkSession spark, String labelsPath) {
    JavaRDD<Row> rows = InputLoader.npyClassRows(spark, labelsPath);
    spark.sparkContext().setJobDescription("spark-gemm: count the classes");
    // {smallest id, its row id, largest id}
    long[] range = rows.mapPartitions(ClassCount::rowRange).reduce(ClassCount::merge);
    return range[1] < 0 ? null : fromRange((int) range[0], range[1], (int) range[2], labelsPath);
  }

  private static Iterator<long[]> rowRange(Iterator<Row> rows) {
    long[] range = {Long.MAX_VALUE, -1, Long.MIN_VALUE};
    while (rows.hasNext()) {
      Row row = rows.next();
      long id = (long) row.getDouble(1);
      if (id < range[0]) {
        range[0] = id;
        range[1] = row.getLong(0);
      }
      range[2] = Math.max(range[2], id);
    }
    return List.of(range).iterator();
  }

  /**
   * k from an ML attribute on a label column, as MLlib's {@code MetadataUtils.getNumClasses}:
   * numValues of a nominal attribute, 2 for a binary one.
   *
   * @return k, or null when the column carries no such attribute
   */
  public static Integer fromMetadata(StructField field) {
    Attribute attribute = Attribute.fromStructField(field);
    if (attribute instanceof BinaryAttribute) {
      return 2;
    }
    if (attribute instanceof NominalAttribute nominal && nominal.getNumValues().isDefined()) {
      return (Integer) nominal.getNumValues().get();
    }
    return null;
  }

  /**
   * k = the largest class id + 1, from the cached blocks' class ids (one job that reads their
   * labels, not X).
   *
   * @param source where the labels came from, for the error on a negative id
   */
  public static Count fromBlocks(BlockedInput input, String source) {
    input.blocks().context().setJobDescription("spark-gemm: count the classes");
    // {smallest id, its row id, largest id}
    long[] range = input.blocks().map(ClassCount::range).reduce(ClassCount::merge);
    return fromRange((int) range[0], range[1], (int) range[2], source);
  }

  private static long[] range(LabeledBlock block) {
    int[] classes = block.classes();
    if (classes == null) {
      throw new IllegalStateException("The blocks carry no class labels");
    }
    long[] range = {Long.MAX_VALUE, -1, Long.MIN_VALUE};
    for (int r = 0; r < classes.length; r++) {
      if (classes[r] < range[0]) {
        range[0] = classes[r];
        range[1] = block.x().rowId(r);
      }
      range[2] = Math.max(range[2], classes[r]);
    }
    return range;
  }

  private static long[] merge(long[] a, long[] c) {
    boolean lower = c[0] < a[0] || c[0] == a[0] && c[1] < a[1];
    return new long[] {lower ? c[0] : a[0], lower ? c[1] : a[1], Math.max(a[2], c[2])};
  }

  private static Count fromRange(int min, long minRowId, int max, String source) {
    if (min < 0) {
      throw new IllegalArgumentException(source + ": Class label " + min + " at row id "
          + minRowId + " is negative: class ids must be 0, 1, 2, ...");
    }
    if (max == Integer.MAX_VALUE) {
      throw new IllegalArgumentException(source + ": Class label " + max + " leaves no room "
          + "for k = largest id + 1 outputs");
    }
    return new Count(max + 1, "the class labels (largest id " + max + ")");
  }
}
