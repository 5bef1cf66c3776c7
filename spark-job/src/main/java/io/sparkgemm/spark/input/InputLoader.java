package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.spark.block.BlockIterator;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.CacheLevel;
import io.sparkgemm.spark.block.CacheLevels;
import io.sparkgemm.spark.block.Chunks;
import io.sparkgemm.spark.block.Deterministic;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.block.RowLayout;
import io.sparkgemm.spark.block.SortedRepartition;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads X (and its labels or upstream gradient), stacks rows into dense blocks inside each
 * partition (no shuffle unless rows must be joined by id with G or .npy labels), caches the
 * blocks and materialises them once, which also checks every row.
 */
public final class InputLoader {
  private static final Logger LOG = LoggerFactory.getLogger(InputLoader.class);

  private InputLoader() {
  }

  public static BlockedInput load(SparkSession spark, InputSpec spec) {
    return load(spark, spec, true);
  }

  /**
   * As {@link #load}, but stacks rows even where the columnar batches could be read: the
   * reference for comparisons (tests, the ingestion bench).
   */
  public static BlockedInput loadFromRows(SparkSession spark, InputSpec spec) {
    return load(spark, spec, false);
  }

  /**
   * The class ids of a .npy labels file as rows {@code (__id, __label)} (the id as a double), read
   * by the executors a range of rows each; a missing file or a folder is refused.
   */
  public static JavaRDD<Row> npyClassRows(SparkSession spark, String path) {
    InputFiles.requireFileOrFolder("labelsPath", path);
    return NpyInput.classRows(spark, path);
  }

  private static BlockedInput load(SparkSession spark, InputSpec spec, boolean columnar) {
    long start = System.nanoTime();
    String format = InputSpec.formatOf(spec.x(), spec.format());
    requireReadable(spark, spec.x(), "x");
    // before any reader opens them: a pipe would block the first open forever
    if (spec.labelsPath() != null) {
      InputFiles.requireFileOrFolder("labelsPath", spec.labelsPath());
    }
    if (spec.upstreamPath() != null) {
      InputFiles.requireFileOrFolder("upstreamPath", spec.upstreamPath());
    }
    if (format.equals("npy")) {
      return NpyInput.load(spark, spec, start);
    }
    try {
      return loadDataset(spark, spec, format, columnar, start);
    } catch (Exception e) {
      // Spark's read errors (a corrupt part file, a malformed CSV line) are bad input
      IllegalArgumentException bad = ReadErrors.translate(e, spec.x(), spec.csv(),
          spark.sparkContext().hadoopConfiguration());
      if (bad != null) {
        throw bad;
      }
      throw e;
    }
  }

  private static BlockedInput loadDataset(SparkSession spark, InputSpec spec, String format,
      boolean columnar, long start) {
    Dataset<Row> raw = DataFrames.read(spark, spec.x(), format, spec.csv());
    Dataset<Row> x = DataFrames.normaliseX(raw, spec, format);
    int labelWidth = 0;
    if (spec.labelKind() == LabelKind.CLASSES) {
      labelWidth = 1;
    }
    boolean hasId = spec.idCol() != null;
    String labelSource = spec.labelsCol() == null ? spec.x()
        : spec.x() + ", column '" + spec.labelsCol() + "'";
    if (spec.upstreamPath() != null || spec.labelsPath() != null) {
      Dataset<Row> other;
      String what;
      // G with the id column is matched by id; .npy labels and G, and G without the id
      // column, by row index, as documented
      boolean byId = false;
      if (spec.upstreamPath() != null) {
        requireReadable(spark, spec.upstreamPath(), "upstreamPath");
        String gFormat = InputSpec.formatOf(spec.upstreamPath(), null);
        labelSource = spec.upstreamPath();
        if (gFormat.equals("npy")) {
          other = NpyInput.rowsOf(spark, spec.upstreamPath());
        } else {
          Dataset<Row> g = DataFrames.read(spark, spec.upstreamPath(), gFormat, spec.csv());
          String gColumn = DataFrames.upstreamColumn(g, spec);
          labelSource += gColumn == null ? "" : ", column '" + gColumn + "'";
          other = DataFrames.normaliseUpstream(g, spec, gFormat);
          byId = hasId && Arrays.asList(other.columns()).contains("__id");
        }
        what = "upstream gradient " + spec.upstreamPath();
      } else {
        requireReadable(spark, spec.labelsPath(), "labelsPath");
        other = NpyInput.labelRows(spark, spec.labelsPath(), spec.labelKind(),
            spec.numClasses());
        labelSource = spec.labelsPath();
        what = "labels " + spec.labelsPath();
      }
      x = byId ? Joins.alignById(x, other, what, spec.x())
          : Joins.alignByIndex(spark, x, other, what, spec.x());
      hasId = true;
    }
    List<String> columns = Arrays.asList(x.columns());
    int numFeatures = firstSize(x, "__x", spec.x(), spec.x(), "features");
    if (spec.labelKind() == LabelKind.TARGETS || spec.labelKind() == LabelKind.UPSTREAM) {
      labelWidth = firstSize(x, "__label", spec.x(), labelSource,
          spec.labelKind() == LabelKind.TARGETS ? "targets" : "upstream gradient");
    }
    if (spec.deterministic() && spec.idCol() != null) {
      // Blocks are cut where ids cross block bounds: ids in order make whole blocks.
      x = x.sortWithinPartitions("__id");
    }
    RowLayout layout = RowLayout.builder()
        .xOrdinal(columns.indexOf("__x"))
        .idOrdinal(hasId ? columns.indexOf("__id") : -1)
        .labels(columns.indexOf("__label"), spec.labelKind(), labelWidth)
        .labelSource(labelSource)
        .numClasses(spec.numClasses())
        .numFeatures(numFeatures)
        .blocks(spec.dtype(), spec.effectiveBlockRows(numFeatures))
        .source(spec.x())
        .allowNonFinite(spec.allowNonFinite())
        .cutById(spec.deterministic())
        .build();
    String rowsWhy = columnar ? rowPathReason(spec, format) : "rows asked for";
    StringBuilder why = new StringBuilder();
    DataFrames.ColumnarColumns needed = rowsWhy != null ? null
        : DataFrames.columnarColumns(raw, spec, why);
    if (needed == null && rowsWhy == null) {
      rowsWhy = why.toString();
    }
    if (needed != null) {
      JavaRDD<LabeledBlock> blocks = ColumnarInput.blocks(spark, raw, needed, layout,
          spec.partitions());
      if (blocks != null) {
        LOG.debug("{}: blocks from the scan's columnar batches", spec.x());
        return cache(blocks, spec, layout.numFeatures(), labelWidth, layout.blockRows(), false,
            start);
      }
      rowsWhy = "Spark plans no columnar scan of its columns";
    }
    LOG.debug("{}: blocks from rows ({})", spec.x(), rowsWhy);
    Dataset<Row> split = x;
    JavaRDD<InternalRow> rows = withSplitsFor(spark, spec.partitions(),
        () -> split.queryExecution().toRdd().toJavaRDD());
    long[] offsets = layout.idOrdinal() >= 0 ? null : partitionOffsets(rows);
    JavaRDD<LabeledBlock> blocks = rows.mapPartitionsWithIndex(
        (index, it) -> new BlockIterator(it, layout, offsets == null ? 0 : offsets[index]), true);
    return cache(blocks, spec, layout.numFeatures(), labelWidth, layout.blockRows(), false,
        start);
  }

  /**
   * Why X is blocked from rows rather than from columnar batches, before its columns are
   * looked at; null when it may be columnar.
   */
  private static String rowPathReason(InputSpec spec, String format) {
    if (!format.equals("parquet")) {
      return format + " is read as rows";
    }
    if (spec.upstreamPath() != null || spec.labelsPath() != null) {
      return "joined with " + (spec.upstreamPath() != null ? "G" : "labels");
    }
    if (spec.deterministic() && spec.idCol() != null) {
      return "sorted by id";
    }
    return null;
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
      blocks = SortedRepartition.of(blocks, spec.partitions());
    }
    CacheLevel cacheLevel = spec.storageLevel() != null ? spec.storageLevel()
        : CacheLevel.defaultFor(npy);
    String level = cacheLevel.name();
    blocks = blocks.persist(cacheLevel.storageLevel());
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
        CacheLevels.mb(totals[2]), placement.describe());
    if (spec.deterministic()) {
      LOG.info("--deterministic: blocks of {} row ids, {} chunks of {} row ids, reduced by chunk "
          + "index", blockRows, chunkIds.length, chunkRows);
    }
    return BlockedInput.builder(blocks)
        .shape(totals[1], numFeatures)
        .labelWidth(labelWidth)
        .blocking(blockRows, totals[0])
        .payloadBytes(totals[2])
        .npy(npy)
        .seconds((System.nanoTime() - start) / 1e9)
        .chunks(chunkRows > 0 ? new Chunks(chunkRows, chunkIds) : Chunks.NONE)
        .cache(placement)
        .build();
  }

  /**
   * Runs {@code plan} (which turns a DataFrame into its RDD, fixing the file splits and the
   * shuffle partitions of a join) with Spark's split sizing told the partition count. Spark cuts
   * files into splits of about {@code totalBytes / minPartitionNum} bytes (within
   * {@code spark.sql.files.openCostInBytes} and {@code maxPartitionBytes}), and coalesces shuffle
   * partitions likewise; both counts default to the default parallelism, i.e. the number of
   * cores. Blocks never span a split, so with the core count in the sizing the same input and
   * partition count would give other blocks, hence other bits, on another machine. With
   * {@code partitions > 0} both counts are set to it for the call and restored afterwards.
   */
  static <T> T withSplitsFor(SparkSession spark, int partitions, Supplier<T> plan) {
    return withConf(spark, splitSettings(partitions), plan);
  }

  /** The split settings of {@link #withSplitsFor}: none unless {@code partitions > 0}. */
  static Map<String, String> splitSettings(int partitions) {
    if (partitions <= 0) {
      return Map.of();
    }
    String count = Integer.toString(partitions);
    return Map.of("spark.sql.files.minPartitionNum", count,
        "spark.sql.adaptive.coalescePartitions.minPartitionNum", count);
  }

  /** Runs {@code plan} with the session's SQL settings {@code settings}, then restores them. */
  static <T> T withConf(SparkSession spark, Map<String, String> settings, Supplier<T> plan) {
    Map<String, String> before = new HashMap<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (spark.conf().contains(e.getKey())) {
        before.put(e.getKey(), spark.conf().get(e.getKey()));
      }
      spark.conf().set(e.getKey(), e.getValue());
    }
    try {
      return plan.get();
    } finally {
      for (String key : settings.keySet()) {
        if (before.containsKey(key)) {
          spark.conf().set(key, before.get(key));
        } else {
          spark.conf().unset(key);
        }
      }
    }
  }

  /**
   * The first row's array length of {@code column}; fails on an empty input, and on a null
   * array naming {@code nullSource}, the row id and {@code what}.
   */
  static int firstSize(Dataset<Row> x, String column, String source, String nullSource,
      String what) {
    boolean hasId = Arrays.asList(x.columns()).contains("__id");
    Dataset<Row> sizes = hasId ? x.select(size(col(column)), col("__id"))
        : x.select(size(col(column)));
    List<Row> first = sizes.takeAsList(1);
    if (first.isEmpty()) {
      throw new IllegalArgumentException(source + ": the input has no rows");
    }
    if (first.get(0).isNullAt(0) || first.get(0).getInt(0) < 0) {
      // size() of a null array is -1; without ids the first row is row 0
      throw new IllegalArgumentException(nullSource + ": row id "
          + (hasId ? first.get(0).get(1) : 0) + " has null " + what);
    }
    return first.get(0).getInt(0);
  }

  /** Row ids 0..n-1 in input order: each partition's first id is the count before it. */
  private static long[] partitionOffsets(JavaRDD<InternalRow> rows) {
    return partitionOffsets(rows, row -> 1);
  }

  /** The rows one element of a partition holds: 1 for a row, the row count for a batch. */
  interface RowCount<T> extends Serializable {
    long of(T element);
  }

  /**
   * Each partition's first row id when rows are numbered 0..n-1 in input order: the count of
   * rows before it (one job over {@code elements}).
   */
  static <T> long[] partitionOffsets(JavaRDD<T> elements, RowCount<T> rows) {
    elements.context().setJobDescription("spark-gemm: count rows per partition");
    List<Long> counts = elements.mapPartitions((Iterator<T> it) -> {
      long n = 0;
      while (it.hasNext()) {
        n += rows.of(it.next());
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
    return Joins.withRowIndex(spark, df, "__id");
  }

  /** Fails with a clear message when an input path does not exist. */
  static void requireReadable(SparkSession spark, String path, String option) {
    InputFiles.requireFileOrFolder(option, path);
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new BadParameterException(param(option), " " + path
            + ": no such file or directory");
      }
      if (fs.getFileStatus(p).isDirectory()) {
        InputFiles.requireDataFiles(spark.sparkContext().hadoopConfiguration(), path);
      }
    } catch (IOException e) {
      throw new BadParameterException(ParamText.of(param(option), " " + path
          + ": cannot be read: " + e.getMessage()), e);
    }
  }

}
