package io.sparkgemm.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Reads X (and its labels or upstream gradient), stacks rows into dense blocks inside each
 * partition (no shuffle unless rows must be joined by id with G or .npy labels), caches the
 * blocks and materialises them once, which also checks every row.
 */
public final class InputLoader {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InputLoader.class);

  private InputLoader() {
  }

  public static BlockedInput load(SparkSession spark, InputSpec spec) {
    long start = System.nanoTime();
    String format = InputSpec.formatOf(spec.x(), spec.format());
    requireReadable(spark, spec.x(), "--x");
    if (format.equals("npy")) {
      return NpyInput.load(spark, spec, start);
    }
    Dataset<Row> x = DataFrames.normaliseX(DataFrames.read(spark, spec.x(), format), spec, format);
    int labelWidth = 0;
    if (spec.labelKind() == LabelKind.CLASSES) {
      labelWidth = 1;
    }
    boolean hasId = spec.idCol() != null;
    if (spec.upstream() != null || spec.labelsPath() != null) {
      if (!hasId) {
        x = withAssignedIds(spark, x);
        hasId = true;
      }
      Dataset<Row> other;
      String what;
      if (spec.upstream() != null) {
        requireReadable(spark, spec.upstream(), "--upstream");
        String gFormat = InputSpec.formatOf(spec.upstream(), null);
        other = gFormat.equals("npy")
            ? NpyInput.rowsOf(spark, spec.upstream())
            : DataFrames.normaliseUpstream(DataFrames.read(spark, spec.upstream(), gFormat), spec,
                gFormat);
        if (!Arrays.asList(other.columns()).contains("__id")) {
          other = withAssignedIds(spark, other);
        }
        what = "upstream gradient " + spec.upstream();
      } else {
        requireReadable(spark, spec.labelsPath(), "--labels");
        other = NpyInput.labelRows(spark, spec.labelsPath(), spec.labelKind());
        what = "labels " + spec.labelsPath();
      }
      x = Joins.alignById(x, other, what);
    }
    List<String> columns = Arrays.asList(x.columns());
    int numFeatures = firstSize(x, "__x", spec.x());
    if (spec.labelKind() == LabelKind.TARGETS || spec.labelKind() == LabelKind.UPSTREAM) {
      labelWidth = firstSize(x, "__label", spec.x());
    }
    if (spec.deterministic() && spec.idCol() != null) {
      // Blocks are cut where ids cross block bounds: ids in order make whole blocks.
      x = x.sortWithinPartitions("__id");
    }
    RowLayout layout = new RowLayout(columns.indexOf("__x"), hasId ? columns.indexOf("__id") : -1,
        columns.indexOf("__label"), spec.labelKind(), numFeatures, labelWidth, spec.dtype(),
        spec.effectiveBlockRows(numFeatures), spec.x(), spec.allowNonFinite(),
        spec.deterministic());
    JavaRDD<InternalRow> rows = x.queryExecution().toRdd().toJavaRDD();
    long[] offsets = layout.idOrdinal() >= 0 ? null : partitionOffsets(rows);
    JavaRDD<LabeledBlock> blocks = rows.mapPartitionsWithIndex(
        (index, it) -> new BlockIterator(it, layout, offsets == null ? 0 : offsets[index]), true);
    return cache(blocks, spec, layout.numFeatures(), labelWidth, layout.blockRows(), false,
        start);
  }

  /**
   * Repartitions if asked (with --deterministic: arranges blocks by chunk), caches, materialises
   * and measures the blocks.
   */
  static BlockedInput cache(JavaRDD<LabeledBlock> blocks, InputSpec spec, int numFeatures,
      int labelWidth, int blockRows, boolean npy, long start) {
    if (spec.partitions() > Math.max(InputSpec.FREE_PARTITIONS, blocks.getNumPartitions())) {
      // Many more partitions than the input has: count the rows before shuffling into them
      // (one more read of the input).
      blocks.context().setJobDescription("spark-gemm: count the rows of " + spec.x());
      spec.requirePartitionsAtMost(blocks.map(b -> (long) b.numRows()).fold(0L, Long::sum));
    }
    long chunkRows = 0;
    if (spec.deterministic()) {
      int partitions = spec.partitions() > 0 ? spec.partitions() : blocks.getNumPartitions();
      chunkRows = (long) blockRows * InputSpec.BLOCKS_PER_CHUNK;
      blocks = Deterministic.arrange(blocks, blockRows, partitions);
    } else if (spec.partitions() > 0 && spec.partitions() != blocks.getNumPartitions()) {
      blocks = blocks.repartition(spec.partitions());
    }
    String level = spec.storageLevel() == null ? CacheLevels.DEFAULT
        : spec.storageLevel().trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    blocks = blocks.persist(CacheLevels.parse(level));
    blocks.setName("spark-gemm blocks of " + spec.x());
    blocks.context().setJobDescription("spark-gemm: read and block " + spec.x());
    long[] totals = blocks.map(b -> new long[] {1, b.numRows(), b.payloadBytes()})
        .fold(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    if (totals[1] == 0) {
      blocks.unpersist(false);
      throw new IllegalArgumentException(spec.x() + ": the input has no rows");
    }
    long[] chunkIds = chunkRows > 0 ? Deterministic.chunkIds(blocks, chunkRows) : new long[0];
    CacheLevels.Placement placement = CacheLevels.placement(blocks, level);
    LOG.info("Cached blocks of {} ({} of X and labels) as {}", spec.x(),
        Reduction.mb(totals[2]), placement.describe());
    if (spec.deterministic()) {
      LOG.info("--deterministic: blocks of {} row ids, {} chunks of {} row ids, reduced by chunk "
          + "index", blockRows, chunkIds.length, chunkRows);
    }
    return new BlockedInput(blocks, totals[1], numFeatures, labelWidth, blockRows, totals[0],
        totals[2], npy, (System.nanoTime() - start) / 1e9, chunkRows, chunkIds, placement);
  }

  /** The first row's array length of {@code column}; fails on an empty input. */
  private static int firstSize(Dataset<Row> x, String column, String source) {
    List<Row> first = x.select(size(col(column))).takeAsList(1);
    if (first.isEmpty()) {
      throw new IllegalArgumentException(source + ": the input has no rows");
    }
    return first.get(0).isNullAt(0) ? -1 : first.get(0).getInt(0);
  }

  /** Row ids 0..n-1 in input order: each partition's first id is the count before it. */
  private static long[] partitionOffsets(JavaRDD<InternalRow> rows) {
    rows.context().setJobDescription("spark-gemm: count rows per partition");
    List<Long> counts = rows.mapPartitions((Iterator<InternalRow> it) -> {
      long n = 0;
      while (it.hasNext()) {
        it.next();
        n++;
      }
      return List.of(n).iterator();
    }).collect();
    long[] offsets = new long[counts.size()];
    for (int i = 1; i < offsets.length; i++) {
      offsets[i] = offsets[i - 1] + counts.get(i - 1);
    }
    return offsets;
  }

  /** Appends {@code __id} numbering rows 0..n-1 in input order. */
  static Dataset<Row> withAssignedIds(SparkSession spark, Dataset<Row> df) {
    StructType schema = df.schema().add("__id", DataTypes.LongType, false);
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

  /** Fails with a clear message when an input path does not exist. */
  static void requireReadable(SparkSession spark, String path, String option) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new IllegalArgumentException(option + " " + path + ": no such file or directory");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + path + ": cannot be read: "
          + e.getMessage(), e);
    }
  }

}
