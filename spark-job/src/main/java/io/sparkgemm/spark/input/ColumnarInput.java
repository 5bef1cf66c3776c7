package io.sparkgemm.spark.input;

import io.sparkgemm.spark.block.ColumnarBlockIterator;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.block.RowLayout;
import io.sparkgemm.spark.input.DataFrames.ColumnarColumns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Blocks built from the columnar batches of Spark's file scan (the vectorized Parquet reader,
 * nested arrays and MLlib vectors, as their structs, included) rather than from rows: the scan
 * reads only the raw columns X needs, and each batch's values are copied into the blocks in
 * bulk. Same file splits, row ids, block cuts and bits as the row path
 * ({@link ColumnarBlockIterator}).
 */
final class ColumnarInput {
  /** Set for the columnar plan: nested arrays and structs read vectorized (the default)... */
  private static final String NESTED = "spark.sql.parquet.enableNestedColumnVectorizedReader";
  /** ...and rows of more than 100 columns batched too (Spark batches at most this many). */
  private static final String MAX_FIELDS = "spark.sql.codegen.maxFields";

  private ColumnarInput() {
  }

  /**
   * The blocks of {@code raw}'s columns {@code columns} read through the scan's columnar
   * batches, or null when Spark plans no columnar scan for them.
   *
   * @param layout the row path's layout (its ordinals are replaced by the batch's)
   */
  static JavaRDD<LabeledBlock> blocks(SparkSession spark, Dataset<Row> raw,
      ColumnarColumns columns, RowLayout layout, int partitions) {
    Set<String> names = new LinkedHashSet<>(columns.features());
    if (columns.id() != null) {
      names.add(columns.id());
    }
    if (columns.label() != null) {
      names.add(columns.label());
    }
    List<Column> selected = new ArrayList<>();
    for (String name : names) {
      selected.add(DataFrames.column(name));
    }
    Dataset<Row> read = raw.select(selected.toArray(new Column[0]));
    Map<String, String> settings = new HashMap<>(InputLoader.splitSettings(partitions));
    settings.put(NESTED, "true");
    settings.put(MAX_FIELDS, Integer.toString(Math.max(names.size(),
        Integer.parseInt(spark.conf().get(MAX_FIELDS)))));
    boolean assignIds = columns.id() == null;
    Scans scans = InputLoader.withConf(spark, settings, () -> {
      FileSourceScanExec scan = columnarScan(read);
      if (scan == null) {
        return null;
      }
      // with ids assigned, count each split's rows by a scan of no columns (its splits are
      // those of the same files and settings)
      FileSourceScanExec count = assignIds ? columnarScan(raw.select()) : null;
      return new Scans(scan, scan.executeColumnar().toJavaRDD(),
          count == null ? null : count.executeColumnar().toJavaRDD());
    });
    if (scans == null) {
      return null;
    }
    List<String> output = new ArrayList<>();
    for (Attribute a : CollectionConverters.asJava(scans.scan().output())) {
      output.add(a.name());
    }
    int[] featureColumns = null;
    if (!columns.array()) {
      featureColumns = columns.features().stream().mapToInt(output::indexOf).toArray();
    }
    RowLayout batchLayout = new RowLayout(
        columns.array() ? output.indexOf(columns.features().get(0)) : -1,
        columns.id() == null ? -1 : output.indexOf(columns.id()),
        columns.label() == null ? -1 : output.indexOf(columns.label()),
        layout.labelKind(), layout.numFeatures(), layout.labelWidth(), layout.dtype(),
        layout.blockRows(), layout.source(), layout.allowNonFinite(), layout.cutById(),
        layout.labelSource(), layout.numClasses());
    JavaRDD<ColumnarBatch> batches = scans.batches();
    long[] offsets = assignIds ? partitionOffsets(batches, scans.counts()) : null;
    int[] features = featureColumns;
    return batches.mapPartitionsWithIndex((index, it) -> new ColumnarBlockIterator(it,
        batchLayout, features, offsets == null ? 0 : offsets[index]), true);
  }

  private record Scans(FileSourceScanExec scan, JavaRDD<ColumnarBatch> batches,
      JavaRDD<ColumnarBatch> counts) {
  }

  /** The plan's file scan when it is its only leaf and returns columnar batches; else null. */
  private static FileSourceScanExec columnarScan(Dataset<Row> df) {
    SparkPlan plan = df.queryExecution().executedPlan();
    List<SparkPlan> leaves = CollectionConverters.asJava(plan.collectLeaves());
    if (leaves.size() == 1 && leaves.get(0) instanceof FileSourceScanExec scan
        && scan.supportsColumnar()) {
      return scan;
    }
    return null;
  }

  /** Row ids 0..n-1 in input order: each split's first id is the count of rows before it. */
  private static long[] partitionOffsets(JavaRDD<ColumnarBatch> batches,
      JavaRDD<ColumnarBatch> counts) {
    JavaRDD<ColumnarBatch> counted = counts.getNumPartitions() == batches.getNumPartitions()
        ? counts : batches;
    return InputLoader.partitionOffsets(counted, ColumnarBatch::numRows);
  }
}
