package io.sparkgemm.spark.input;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.block.BlockBuilder;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * .npy inputs, for data that fits the driver: X is read on the driver, cut into blocks there and
 * distributed; labels and G in .npy files are aligned with X by row index.
 */
final class NpyInput {
  private NpyInput() {
  }

  static BlockedInput load(SparkSession spark, InputSpec spec, long start) {
    if (spec.idCol() != null || spec.labelsCol() != null) {
      throw new IllegalArgumentException("idCol and labelsCol need a dataset input "
          + "(Parquet, CSV); " + spec.x() + " is a .npy file, whose rows are numbered by index");
    }
    DenseBlock x = Npy.read(Path.of(spec.x())).toBlock();
    if (x.numRows() == 0) {
      throw new IllegalArgumentException(spec.x() + ": the input has no rows (shape "
          + x.shape() + ")");
    }
    int n = x.numRows();
    int d = x.numCols();
    spec.requirePartitionsAtMost(n);
    LabelKind kind = spec.labelKind();
    double[] labelValues = null;
    int[] classes = null;
    int labelWidth = 0;
    if (kind == LabelKind.UPSTREAM) {
      if (!InputSpec.formatOf(spec.upstreamPath(), null).equals("npy")) {
        throw new IllegalArgumentException("With a .npy X, upstreamPath must be a .npy file too "
            + "(rows aligned by index); got " + spec.upstreamPath());
      }
      DenseBlock g = Npy.read(Path.of(spec.upstreamPath())).toBlock().toDType(DType.FLOAT64);
      requireRows(spec.upstreamPath(), "upstream gradient G", g.numRows(), n, spec.x());
      labelValues = g.doubles();
      labelWidth = g.numCols();
    } else if (kind == LabelKind.TARGETS || kind == LabelKind.CLASSES) {
      if (spec.labelsPath() == null) {
        throw new IllegalArgumentException("The loss needs " + (kind == LabelKind.TARGETS
            ? "targets" : "class labels") + ": with a .npy X give labelsPath FILE.npy");
      }
      NpyArray labels = Npy.read(Path.of(spec.labelsPath()));
      requireRows(spec.labelsPath(), "labels", labels.shape()[0], n, spec.x());
      if (kind == LabelKind.CLASSES) {
        classes = labels.toClasses();
        checkClasses(spec.labelsPath(), classes, spec.numClasses());
        labelWidth = 1;
      } else {
        DenseBlock t = targets(labels);
        labelValues = t.doubles();
        labelWidth = t.numCols();
      }
    }
    int blockRows = spec.effectiveBlockRows(d);
    String labelSource = kind == LabelKind.UPSTREAM ? spec.upstreamPath()
        : spec.labelsPath() != null ? spec.labelsPath() : spec.x();
    BlockBuilder builder = new BlockBuilder(spec.dtype(), d, blockRows, kind, labelWidth,
        spec.x(), labelSource, spec.allowNonFinite());
    List<LabeledBlock> blocks = new ArrayList<>();
    double[] row = new double[d];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < d; c++) {
        row[c] = x.get(r, c);
      }
      builder.add(r, row, 0, d);
      if (kind == LabelKind.CLASSES) {
        builder.setClass(classes[r]);
      } else if (kind == LabelKind.TARGETS) {
        builder.setTargets(labelValues, r * labelWidth, labelWidth);
      } else if (kind == LabelKind.UPSTREAM) {
        builder.setUpstream(labelValues, r * labelWidth, labelWidth);
      }
      if (builder.endRow()) {
        blocks.add(builder.build());
      }
    }
    if (!builder.isEmpty()) {
      blocks.add(builder.build());
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = spec.partitions() > 0 ? spec.partitions()
        : Math.min(blocks.size(), jsc.defaultParallelism());
    JavaRDD<LabeledBlock> rdd = jsc.parallelize(blocks, partitions);
    return InputLoader.cache(rdd, spec, d, labelWidth, blockRows, true, start);
  }

  /** A .npy G as rows {@code (__id, __label)} numbered by index. */
  static Dataset<Row> rowsOf(SparkSession spark, String path) {
    DenseBlock g = Npy.read(Path.of(path)).toBlock().toDType(DType.FLOAT64);
    List<Row> rows = new ArrayList<>(g.numRows());
    for (int r = 0; r < g.numRows(); r++) {
      double[] values = new double[g.numCols()];
      System.arraycopy(g.doubles(), r * g.numCols(), values, 0, g.numCols());
      rows.add(RowFactory.create((long) r, values));
    }
    StructType schema = new StructType().add("__id", DataTypes.LongType, false)
        .add("__label", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return spark.createDataFrame(rows, schema);
  }

  /**
   * .npy labels as rows {@code (__id, __label)}: class ids as double, targets as arrays.
   *
   * @param numClasses k, to check class ids against on the driver; 0 not to
   */
  static Dataset<Row> labelRows(SparkSession spark, String path, LabelKind kind,
      int numClasses) {
    NpyArray labels = Npy.read(Path.of(path));
    List<Row> rows = new ArrayList<>();
    StructType schema = new StructType().add("__id", DataTypes.LongType, false);
    if (kind == LabelKind.CLASSES) {
      int[] classes = labels.toClasses();
      checkClasses(path, classes, numClasses);
      for (int r = 0; r < classes.length; r++) {
        rows.add(RowFactory.create((long) r, (double) classes[r]));
      }
      schema = schema.add("__label", DataTypes.DoubleType, false);
    } else if (kind == LabelKind.TARGETS) {
      DenseBlock t = targets(labels);
      for (int r = 0; r < t.numRows(); r++) {
        double[] values = new double[t.numCols()];
        System.arraycopy(t.doubles(), r * t.numCols(), values, 0, t.numCols());
        rows.add(RowFactory.create((long) r, values));
      }
      schema = schema.add("__label", DataTypes.createArrayType(DataTypes.DoubleType, false),
          false);
    } else {
      throw new IllegalArgumentException("labelsPath is only used by the mse and softmax-ce "
          + "losses");
    }
    return spark.createDataFrame(rows, schema);
  }

  /** Targets from a 1-D (n, one output) or 2-D (n x k) float array, as float64. */
  private static DenseBlock targets(NpyArray labels) {
    if (labels.ndim() == 1) {
      double[] v = labels.toVector();
      return DenseBlock.ofDoubles(v.length, 1, v);
    }
    return labels.toBlock().toDType(DType.FLOAT64);
  }

  /** Refuses a class id outside 0..k-1 (k = numClasses > 0), naming the file and the row. */
  private static void checkClasses(String path, int[] classes, int numClasses) {
    if (numClasses > 0) {
      for (int r = 0; r < classes.length; r++) {
        BlockBuilder.checkClass(path, classes[r], r, numClasses);
      }
    }
  }

  private static void requireRows(String path, String what, int rows, int expected, String x) {
    if (rows != expected) {
      throw new IllegalArgumentException(path + ": " + what + " has " + rows + " rows but X ("
          + x + ") has " + expected + " (rows are aligned by index)");
    }
  }
}
