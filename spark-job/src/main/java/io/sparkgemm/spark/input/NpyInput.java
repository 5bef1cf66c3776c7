package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.npy.NpyFormatException;
import io.sparkgemm.local.npy.NpyLayout;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * .npy inputs, read where the blocks are made: the driver reads only the headers (shape, dtype,
 * order, where the data start); each partition reads its own range of rows of X, and of the
 * labels or G aligned with X by row index, by positioned reads through Hadoop's file system. X
 * need not fit the driver, and no data travels inside a task. Blocks are cut every
 * {@code blockRows} rows from row 0, and partition i holds blocks
 * {@code i * B / p .. (i + 1) * B / p - 1} of the B blocks (as {@code parallelize} slices a list).
 * Without a partition count, p is X's size over Spark's file split size, at least the number of
 * cores and rounded up to a multiple of it ({@link #defaultPartitions}). Each partition prefers
 * the hosts that hold most of its bytes ({@link NpyLocations}).
 */
final class NpyInput {
  private NpyInput() {
  }

  static BlockedInput load(SparkSession spark, InputSpec spec, long start) {
    if (spec.idCol() != null || spec.labelsCol() != null) {
      throw new BadParameterException(param("idCol"), " and ", param("labelsCol"),
          " need a dataset input (Parquet, CSV); " + spec.x() + " is a .npy file, whose rows are "
          + "numbered by index");
    }
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    NpyLayout x = header(conf, spec.x());
    x.requireFloatMatrix();
    if (x.rows() == 0) {
      throw new IllegalArgumentException(spec.x() + ": the input has no rows (shape "
          + x.rows() + "x" + x.cols() + ")");
    }
    int n = x.rows();
    int d = x.cols();
    spec.requirePartitionsAtMost(n);
    LabelKind kind = spec.labelKind();
    NpyRows.Source labels = null;
    int labelWidth = 0;
    if (kind == LabelKind.UPSTREAM) {
      if (!InputSpec.formatOf(spec.upstreamPath(), null).equals("npy")) {
        throw new BadParameterException("With a .npy X, ", param("upstreamPath"), " must be a "
            + ".npy file too (rows aligned by index); got " + spec.upstreamPath());
      }
      NpyLayout g = header(conf, spec.upstreamPath());
      g.requireFloatMatrix();
      requireRows(spec.upstreamPath(), "upstream gradient G", g.rows(), n, spec.x());
      labels = new NpyRows.Source(spec.upstreamPath(), g);
      labelWidth = g.cols();
    } else if (kind == LabelKind.TARGETS || kind == LabelKind.CLASSES) {
      if (spec.labelsPath() == null) {
        throw new BadParameterException("The loss needs "
            + (kind == LabelKind.TARGETS ? "targets" : "class labels") + ": with a .npy X give ",
            param("labelsPath"), " FILE.npy");
      }
      NpyLayout l = header(conf, spec.labelsPath());
      requireRows(spec.labelsPath(), "labels", l.rows(), n, spec.x());
      if (kind == LabelKind.CLASSES) {
        l.requireClasses();
        labelWidth = 1;
      } else {
        requireTargets(l);
        labelWidth = l.cols();
      }
      labels = new NpyRows.Source(spec.labelsPath(), l);
    }
    int blockRows = spec.effectiveBlockRows(d);
    String labelSource = kind == LabelKind.UPSTREAM ? spec.upstreamPath()
        : spec.labelsPath() != null ? spec.labelsPath() : spec.x();
    NpyRows.Blocking how = new NpyRows.Blocking(spec.dtype(), blockRows, kind, labelWidth,
        kind == LabelKind.CLASSES ? spec.numClasses() : 0, labelSource, spec.allowNonFinite());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long numBlocks = (n + (long) blockRows - 1) / blockRows;
    int partitions = spec.partitions() > 0 ? spec.partitions()
        : defaultPartitions((long) n * d * x.dtype().size(),
            spark.sessionState().conf().filesMaxPartitionBytes(), jsc.defaultParallelism(),
            numBlocks);
    // Partition i: blocks i * B / p .. (i + 1) * B / p - 1, i.e. rows from the first one's start
    List<long[]> ranges = new ArrayList<>(partitions);
    for (long i = 0; i < partitions; i++) {
      long first = i * numBlocks / partitions;
      long end = (i + 1) * numBlocks / partitions;
      ranges.add(new long[] {first * blockRows, Math.min(n, end * blockRows)});
    }
    NpyRows reader = new NpyRows(broadcastConf(jsc, conf));
    NpyRows.Source xs = new NpyRows.Source(spec.x(), x);
    NpyRows.Source ls = labels;
    // one range per partition, preferring the hosts of its bytes of X and the labels or G
    List<NpyRows.Source> read = ls == null ? List.of(xs) : List.of(xs, ls);
    JavaRDD<long[]> located = NpyLocations.parallelize(jsc, conf, read, ranges);
    JavaRDD<LabeledBlock> blocks = located.mapPartitions(it -> {
      long[] range = it.next();
      return reader.blocks(xs, ls, how, range[0], range[1]);
    });
    return InputLoader.cache(blocks, spec, d, labelWidth, blockRows, true, start);
  }

  /** A .npy G as rows {@code (__id, __label)} numbered by index, read by the executors. */
  static Dataset<Row> rowsOf(SparkSession spark, String path) {
    NpyLayout g = header(spark.sparkContext().hadoopConfiguration(), path);
    g.requireFloatMatrix();
    StructType schema = new StructType().add("__id", DataTypes.LongType, false)
        .add("__label", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return rows(spark, new NpyRows.Source(path, g), false, 0, schema);
  }

  /**
   * .npy labels as rows {@code (__id, __label)}: class ids as double, targets as arrays; read by
   * the executors.
   *
   * @param numClasses k, to check class ids against as they are read; 0 not to
   */
  static Dataset<Row> labelRows(SparkSession spark, String path, LabelKind kind,
      int numClasses) {
    NpyLayout labels = header(spark.sparkContext().hadoopConfiguration(), path);
    StructType schema = new StructType().add("__id", DataTypes.LongType, false);
    if (kind == LabelKind.CLASSES) {
      labels.requireClasses();
      schema = schema.add("__label", DataTypes.DoubleType, false);
    } else if (kind == LabelKind.TARGETS) {
      requireTargets(labels);
      schema = schema.add("__label", DataTypes.createArrayType(DataTypes.DoubleType, false),
          false);
    } else {
      throw new BadParameterException(param("labelsPath"), " is only used by the mse and "
          + "softmax-ce losses");
    }
    return rows(spark, new NpyRows.Source(path, labels), kind == LabelKind.CLASSES, numClasses,
        schema);
  }

  /**
   * The rows of a labels or G file, a range of rows per partition. Small ones are marked for
   * broadcasting, as Spark chose for them when they were rows held on the driver: Spark's size
   * estimate of such rows (8 bytes a row and 8 a column) under
   * {@code spark.sql.autoBroadcastJoinThreshold}; larger ones are joined by a shuffle.
   */
  private static Dataset<Row> rows(SparkSession spark, NpyRows.Source source, boolean classes,
      int numClasses, StructType schema) {
    Dataset<Row> df = spark.createDataFrame(rowRdd(spark, source, classes, numClasses), schema);
    long n = source.layout().rows();
    long threshold = spark.sessionState().conf().autoBroadcastJoinThreshold();
    long estimate = n * 8 * (1 + schema.size());
    return threshold >= 0 && estimate <= threshold ? functions.broadcast(df) : df;
  }

  /** The class ids of a .npy labels file as rows {@code (__id, __label)}: no join, no hint. */
  static JavaRDD<Row> classRows(SparkSession spark, String path) {
    NpyLayout labels = header(spark.sparkContext().hadoopConfiguration(), path);
    labels.requireClasses();
    return rowRdd(spark, new NpyRows.Source(path, labels), true, 0);
  }

  /**
   * Partitions of an X of {@code bytes} without a count given: one per Spark file split
   * ({@code spark.sql.files.maxPartitionBytes}), at least one per core, rounded up to a multiple
   * of the cores so that every wave of tasks keeps every core busy (3 splits on 2 cores ran each
   * pass in two waves, the second on one core), and at most one per block.
   */
  static int defaultPartitions(long bytes, long splitBytes, int cores, long numBlocks) {
    long splits = (bytes + Math.max(1, splitBytes) - 1) / Math.max(1, splitBytes);
    long waves = (Math.max(cores, splits) + cores - 1) / cores;
    return (int) Math.max(1, Math.min(numBlocks, waves * cores));
  }

  /** A range of rows per partition, as many partitions as cores (at most one per row). */
  private static JavaRDD<Row> rowRdd(SparkSession spark, NpyRows.Source source,
      boolean classes, int numClasses) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long n = source.layout().rows();
    int partitions = (int) Math.max(1, Math.min(n, jsc.defaultParallelism()));
    List<long[]> ranges = new ArrayList<>(partitions);
    for (long i = 0; i < partitions; i++) {
      ranges.add(new long[] {i * n / partitions, (i + 1) * n / partitions});
    }
    NpyRows reader = new NpyRows(broadcastConf(jsc, spark.sparkContext().hadoopConfiguration()));
    return NpyLocations.parallelize(jsc, spark.sparkContext().hadoopConfiguration(),
        List.of(source), ranges).mapPartitions(it -> {
      long[] range = it.next();
      return reader.labelRows(source, classes, numClasses, range[0], range[1]);
    });
  }

  /** The layout of a .npy file, from its header alone. */
  static NpyLayout header(Configuration conf, String path) {
    Path p = new Path(path);
    FileSystem fs;
    try {
      fs = p.getFileSystem(conf);
    } catch (IOException e) {
      throw new NpyFormatException(path, "cannot read: " + e.getMessage());
    }
    return DriverFiles.readNpy(fs, p, path, (in, size, name) -> NpyLayout.read(in::readFully,
        size, name));
  }

  /** Broadcast once, for the executors' file systems (with the session's spark.hadoop.*). */
  private static Broadcast<SerializableConfiguration> broadcastConf(JavaSparkContext jsc,
      Configuration conf) {
    return jsc.broadcast(new SerializableConfiguration(conf));
  }

  /** Targets: a 1-D (n, one output) or 2-D (n x k) float array. */
  private static void requireTargets(NpyLayout labels) {
    if (labels.ndim() == 1) {
      labels.requireFloatVector();
    } else {
      labels.requireFloatMatrix();
    }
  }

  private static void requireRows(String path, String what, int rows, int expected, String x) {
    if (rows != expected) {
      throw new IllegalArgumentException(path + ": " + what + " has " + rows + " rows but X ("
          + x + ") has " + expected + " (rows are aligned by index)");
    }
  }
}
