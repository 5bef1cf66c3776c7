package io.sparkgemm.spark.input;

import io.sparkgemm.spark.block.BlockIterator;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.RowLayout;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Cached blocks from a DataFrame that is already loaded (the MLlib estimators' entry point):
 * the same normalisation and blocking as {@link InputLoader}, without a path. Rows are numbered
 * in input order.
 */
public final class DataFrameInput {
  private DataFrameInput() {
  }

  /**
   * @param spec its {@code x} names the source in messages; featuresCol, labelsCol, labelKind,
   *     dtype, blockRows and partitions are used
   */
  public static BlockedInput load(SparkSession spark, Dataset<Row> df, InputSpec spec) {
    long start = System.nanoTime();
    Dataset<Row> x = InputLoader.withAssignedIds(spark,
        DataFrames.normaliseX(df, spec, "parquet"));
    List<String> columns = Arrays.asList(x.columns());
    int numFeatures = InputLoader.firstSize(x, "__x", spec.x(), spec.x(), "features");
    int labelWidth = 0;
    if (spec.labelKind() == LabelKind.CLASSES) {
      labelWidth = 1;
    } else if (spec.labelKind() == LabelKind.TARGETS) {
      labelWidth = InputLoader.firstSize(x, "__label", spec.x(), spec.x(), "targets");
    }
    RowLayout layout = RowLayout.builder()
        .xOrdinal(columns.indexOf("__x"))
        .idOrdinal(columns.indexOf("__id"))
        .labels(columns.indexOf("__label"), spec.labelKind(), labelWidth)
        .numFeatures(numFeatures)
        .blocks(spec.dtype(), spec.effectiveBlockRows(numFeatures))
        .source(spec.x())
        .allowNonFinite(spec.allowNonFinite())
        .cutById(spec.deterministic())
        .build();
    return InputLoader.cache(x.queryExecution().toRdd().toJavaRDD().mapPartitions(
        it -> new BlockIterator(it, layout, 0), true), spec, numFeatures, labelWidth,
        layout.blockRows(), false, start);
  }
}
