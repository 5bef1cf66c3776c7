package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.spark.block.LabelKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Parquet, CSV and libsvm inputs and normalises them to {@code __x array<double>}, an
 * optional {@code __id long} and an optional {@code __label} ({@code array<double>} targets or
 * gradient, or double class ids), refusing columns that are missing or of the wrong type.
 */
final class DataFrames {
  private static final ArrayType DOUBLE_ARRAY = DataTypes.createArrayType(DataTypes.DoubleType);
  private static final String DEFAULT_FEATURES = "features";
  private static final Logger LOG = LoggerFactory.getLogger(DataFrames.class);

  private DataFrames() {
  }

  static Dataset<Row> read(SparkSession spark, String path, String format) {
    return read(spark, path, format, CsvFormat.DEFAULT);
  }

  /** @param csv header and separator of a CSV input (see {@link CsvHeader}) */
  static Dataset<Row> read(SparkSession spark, String path, String format, CsvFormat csv) {
    switch (format) {
      case "parquet":
        return spark.read().parquet(path);
      case "csv":
        boolean header = CsvHeader.hasHeader(spark.sparkContext().hadoopConfiguration(), path,
            csv);
        return spark.read().option("header", header).option("sep", csv.sep())
            .option("inferSchema", true).option("mode", "FAILFAST").csv(path);
      case "libsvm":
        return spark.read().format("libsvm").load(path);
      default:
        throw new IllegalArgumentException("Format " + format + " is not read through Spark");
    }
  }

  /**
   * A column by its name as written, even with dots or spaces in it ({@code col("x.1")} would
   * look for a field 1 of a struct x).
   */
  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  static Dataset<Row> normaliseX(Dataset<Row> df, InputSpec spec, String format) {
    List<Column> out = new ArrayList<>();
    List<String> reserved = new ArrayList<>();
    if (spec.idCol() != null) {
      reserved.add(spec.idCol());
    }
    String labelsCol = spec.labelsCol();
    if (labelsCol == null && format.equals("libsvm") && spec.labelsPath() == null
        && spec.labelKind() == LabelKind.CLASSES) {
      labelsCol = "label";
    }
    if (labelsCol != null) {
      reserved.add(labelsCol);
    } else if (format.equals("libsvm")) {
      reserved.add("label");
    }
    out.add(features(df, spec.featuresCol(), spec.featuresCols(), reserved, spec.x()).as("__x"));
    if (spec.idCol() != null) {
      DataType t = field(df, spec.idCol(), spec.x(), param("idCol")).dataType();
      if (!(t instanceof IntegralType)) {
        throw new IllegalArgumentException(spec.x() + ": id column '" + spec.idCol() + "' is "
            + t.simpleString() + ", expected an integer type");
      }
      out.add(column(spec.idCol()).cast(DataTypes.LongType).as("__id"));
    }
    if (labelsCol != null) {
      if (spec.labelKind() == LabelKind.NONE || spec.labelKind() == LabelKind.UPSTREAM) {
        throw new BadParameterException(param("labelsCol"), " is only used by the mse and "
            + "softmax-ce losses");
      }
      out.add(labels(df, labelsCol, spec.labelKind(), spec.x()).as("__label"));
    } else if (spec.labelsPath() == null && (spec.labelKind() == LabelKind.TARGETS
        || spec.labelKind() == LabelKind.CLASSES)) {
      throw new BadParameterException("The loss needs "
          + (spec.labelKind() == LabelKind.TARGETS ? "targets" : "class labels") + ": give ",
          param("labelsCol"), " COLUMN or ", param("labelsPath"), " FILE.npy");
    }
    return df.select(out.toArray(new Column[0]));
  }

  /** G as {@code __label array<double>} and, when it has the id column, {@code __id}. */
  static Dataset<Row> normaliseUpstream(Dataset<Row> df, InputSpec spec, String format) {
    List<Column> out = new ArrayList<>();
    List<String> reserved = new ArrayList<>();
    boolean hasId = spec.idCol() != null && Arrays.asList(df.columns()).contains(spec.idCol());
    if (hasId) {
      reserved.add(spec.idCol());
      out.add(column(spec.idCol()).cast(DataTypes.LongType).as("__id"));
    }
    out.add(features(df, upstreamColumn(df, spec), List.of(), reserved, spec.upstreamPath())
        .as("__label"));
    return df.select(out.toArray(new Column[0]));
  }

  /** G's array column: --upstream-col, else its only array column; null when it has none. */
  static String upstreamColumn(Dataset<Row> df, InputSpec spec) {
    if (spec.upstreamCol() != null) {
      return spec.upstreamCol();
    }
    List<String> arrays = arrayColumns(df, Arrays.asList(df.columns()));
    if (arrays.size() > 1) {
      throw new BadParameterException(spec.upstreamPath() + ": several array columns " + arrays
          + "; choose G's with ", param("upstreamCol"));
    }
    return arrays.isEmpty() ? null : arrays.get(0);
  }

  /** The features as one {@code array<double>} column. */
  private static Column features(Dataset<Row> df, String featuresCol, List<String> featuresCols,
      List<String> reserved, String source) {
    FeatureColumns f = featureColumns(df, featuresCol, featuresCols, reserved, source);
    if (f.array() && featuresCol == null && !f.names().get(0).equals(DEFAULT_FEATURES)) {
      LOG.info("{}: features from column '{}', the only array column", source, f.names().get(0));
    }
    return f.array() ? asDoubleArray(df, f.names().get(0), source, "features")
        : numericColumns(df, f.names(), source);
  }

  /**
   * The columns the features come from, as {@link #normaliseX} reads them.
   *
   * @param names one array or vector column when {@code array}, else numeric columns
   */
  record FeatureColumns(List<String> names, boolean array) {
  }

  private static FeatureColumns featureColumns(Dataset<Row> df, String featuresCol,
      List<String> featuresCols, List<String> reserved, String source) {
    if (!featuresCols.isEmpty()) {
      return new FeatureColumns(featuresCols, false);
    }
    String name = featuresCol != null ? featuresCol : DEFAULT_FEATURES;
    if (Arrays.asList(df.columns()).contains(name) || featuresCol != null) {
      return new FeatureColumns(List.of(name), true);
    }
    List<String> rest = Arrays.stream(df.columns()).filter(c -> !reserved.contains(c))
        .collect(Collectors.toList());
    List<String> arrays = arrayColumns(df, rest);
    if (arrays.size() == 1) {
      // no 'features' column but one array column: those are the features (as G's column is
      // chosen); scalar columns beside it are ids or targets, not features
      return new FeatureColumns(List.of(arrays.get(0)), true);
    }
    if (!arrays.isEmpty()) {
      throw new BadParameterException(source + ": no column '" + DEFAULT_FEATURES
          + "' and several array columns " + arrays + "; choose the features with ",
          param("featuresCol"));
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(source + ": no feature columns (columns: "
          + Arrays.toString(df.columns()) + ")");
    }
    return new FeatureColumns(rest, false);
  }

  /**
   * The raw columns of X that {@link #normaliseX} (already called, so valid) reads from a file
   * without labels or G to join: what a columnar read copies. Null where they are not plain
   * numbers, arrays of them or (the features only) an MLlib vector, such as decimals or a
   * vector of targets, with the reason in {@code why}.
   */
  static ColumnarColumns columnarColumns(Dataset<Row> df, InputSpec spec, StringBuilder why) {
    List<String> reserved = new ArrayList<>();
    if (spec.idCol() != null) {
      reserved.add(spec.idCol());
    }
    if (spec.labelsCol() != null) {
      reserved.add(spec.labelsCol());
    }
    FeatureColumns f = featureColumns(df, spec.featuresCol(), spec.featuresCols(), reserved,
        spec.x());
    List<String> all = new ArrayList<>(f.names());
    if (spec.idCol() != null) {
      all.add(spec.idCol());
    }
    if (spec.labelsCol() != null) {
      all.add(spec.labelsCol());
    }
    for (String name : all) {
      DataType t = field(df, name, spec.x(), "input").dataType();
      if (f.array() && name.equals(f.names().get(0)) && isVector(t)) {
        // the scan batches a vector as its struct<type, size, indices, values>
        continue;
      }
      DataType element = t instanceof ArrayType a ? a.elementType() : t;
      if (!isPlainNumber(element)) {
        why.append("column '").append(name).append("' is ").append(t.simpleString());
        return null;
      }
    }
    return new ColumnarColumns(f.names(), f.array(), spec.idCol(), spec.labelsCol());
  }

  /**
   * Raw column names of a columnar read.
   *
   * @param features one array or MLlib vector column when {@code array}, else numeric columns
   * @param id the id column, or null
   * @param label the label column (scalar or array), or null
   */
  record ColumnarColumns(List<String> features, boolean array, String id, String label) {
  }

  /** Types Spark casts to double exactly as Java does: integers and binary floating point. */
  private static boolean isPlainNumber(DataType t) {
    return t instanceof IntegralType || t.equals(DataTypes.FloatType)
        || t.equals(DataTypes.DoubleType);
  }

  private static Column numericColumns(Dataset<Row> df, List<String> names, String source) {
    List<Column> cols = new ArrayList<>();
    for (String name : names) {
      DataType t = field(df, name, source, "feature").dataType();
      if (!(t instanceof NumericType)) {
        List<Row> bad = df.filter(column(name).isNotNull()
            .and(column(name).try_cast(DataTypes.DoubleType).isNull())).select(column(name))
            .takeAsList(1);
        throw new IllegalArgumentException(source + ": column '" + name + "' is "
            + t.simpleString() + ", expected numbers" + (bad.isEmpty() ? ""
            : " (first non-numeric value: '" + bad.get(0).get(0) + "')"));
      }
      cols.add(column(name).cast(DataTypes.DoubleType));
    }
    return array(cols.toArray(new Column[0]));
  }

  private static Column asDoubleArray(Dataset<Row> df, String name, String source, String role) {
    DataType t = field(df, name, source, role).dataType();
    if (t instanceof ArrayType a && a.elementType() instanceof NumericType) {
      return column(name).cast(DOUBLE_ARRAY);
    }
    if (isVector(t)) {
      // vector_to_array fails on a null vector: keep it null, so the row checks name its row
      return when(column(name).isNull(), lit(null).cast(DOUBLE_ARRAY))
          .otherwise(functions.vector_to_array(column(name), "float64"));
    }
    throw new IllegalArgumentException(source + ": " + role + " column '" + name + "' is "
        + t.simpleString() + ", expected array<double>, array<float> or an MLlib vector");
  }

  private static Column labels(Dataset<Row> df, String name, LabelKind kind, String source) {
    DataType t = field(df, name, source, "labels").dataType();
    if (kind == LabelKind.CLASSES) {
      if (!(t instanceof NumericType)) {
        throw new IllegalArgumentException(source + ": label column '" + name + "' is "
            + t.simpleString() + ", expected integer class ids");
      }
      return column(name).cast(DataTypes.DoubleType);
    }
    if (t instanceof NumericType) {
      return array(column(name).cast(DataTypes.DoubleType));
    }
    return asDoubleArray(df, name, source, "targets");
  }

  /** Those of {@code names} that are array or MLlib vector columns. */
  private static List<String> arrayColumns(Dataset<Row> df, List<String> names) {
    return Arrays.stream(df.schema().fields())
        .filter(f -> names.contains(f.name()))
        .filter(f -> f.dataType() instanceof ArrayType || isVector(f.dataType()))
        .map(StructField::name).collect(Collectors.toList());
  }

  private static boolean isVector(DataType t) {
    return t.getClass().getSimpleName().equals("VectorUDT");
  }

  /** @param role the column's role: words, or the parameter that named it */
  private static StructField field(Dataset<Row> df, String name, String source, Object role) {
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    ParamText missing = ParamText.of(source + ": no ", role, " column '" + name
        + "' (columns: " + String.join(", ", df.columns()) + ")");
    throw missing.parameters().isEmpty() ? new IllegalArgumentException(missing.toString())
        : new BadParameterException(missing);
  }
}
