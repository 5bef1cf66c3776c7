package io.sparkgemm.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;

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

/**
 * Reads Parquet, CSV and libsvm inputs and normalises them to {@code __x array<double>}, an
 * optional {@code __id long} and an optional {@code __label} (array<double> targets or gradient,
 * or double class ids), refusing columns that are missing or of the wrong type.
 */
final class DataFrames {
  private static final ArrayType DOUBLE_ARRAY = DataTypes.createArrayType(DataTypes.DoubleType);
  private static final String DEFAULT_FEATURES = "features";

  private DataFrames() {
  }

  static Dataset<Row> read(SparkSession spark, String path, String format) {
    switch (format) {
      case "parquet":
        return spark.read().parquet(path);
      case "csv":
        return spark.read().option("header", csvHasHeader(spark, path))
            .option("inferSchema", true).option("mode", "FAILFAST").csv(path);
      case "libsvm":
        return spark.read().format("libsvm").load(path);
      default:
        throw new IllegalArgumentException("Format " + format + " is not read through Spark");
    }
  }

  /** A CSV has a header when any cell of its first line is not a number. */
  private static boolean csvHasHeader(SparkSession spark, String path) {
    List<Row> first = spark.read().text(path).takeAsList(1);
    if (first.isEmpty()) {
      throw new IllegalArgumentException(path + ": the CSV file is empty");
    }
    for (String cell : first.get(0).getString(0).split(",", -1)) {
      try {
        Double.parseDouble(cell.trim());
      } catch (NumberFormatException e) {
        return true;
      }
    }
    return false;
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
      DataType t = field(df, spec.idCol(), spec.x(), "--id-col").dataType();
      if (!(t instanceof IntegralType)) {
        throw new IllegalArgumentException(spec.x() + ": id column '" + spec.idCol() + "' is "
            + t.simpleString() + ", expected an integer type");
      }
      out.add(col(spec.idCol()).cast(DataTypes.LongType).as("__id"));
    }
    if (labelsCol != null) {
      if (spec.labelKind() == LabelKind.NONE || spec.labelKind() == LabelKind.UPSTREAM) {
        throw new IllegalArgumentException("--labels-col is only used by the mse and softmax-ce "
            + "losses");
      }
      out.add(labels(df, labelsCol, spec.labelKind(), spec.x()).as("__label"));
    } else if (spec.labelsPath() == null && (spec.labelKind() == LabelKind.TARGETS
        || spec.labelKind() == LabelKind.CLASSES)) {
      throw new IllegalArgumentException("The loss needs " + (spec.labelKind()
          == LabelKind.TARGETS ? "targets" : "class labels") + ": give --labels-col COLUMN or "
          + "--labels FILE.npy");
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
      out.add(col(spec.idCol()).cast(DataTypes.LongType).as("__id"));
    }
    String column = spec.upstreamCol();
    if (column == null) {
      List<String> arrays = Arrays.stream(df.schema().fields())
          .filter(f -> f.dataType() instanceof ArrayType || isVector(f.dataType()))
          .map(StructField::name).collect(Collectors.toList());
      if (arrays.size() == 1) {
        column = arrays.get(0);
      } else if (!arrays.isEmpty()) {
        throw new IllegalArgumentException(spec.upstream() + ": several array columns " + arrays
            + "; choose G's with --upstream-col");
      }
    }
    out.add(features(df, column, List.of(), reserved, spec.upstream()).as("__label"));
    return df.select(out.toArray(new Column[0]));
  }

  /** The features as one array<double> column. */
  private static Column features(Dataset<Row> df, String featuresCol, List<String> featuresCols,
      List<String> reserved, String source) {
    if (!featuresCols.isEmpty()) {
      return numericColumns(df, featuresCols, source);
    }
    String name = featuresCol != null ? featuresCol : DEFAULT_FEATURES;
    if (Arrays.asList(df.columns()).contains(name) || featuresCol != null) {
      return asDoubleArray(df, name, source, "features");
    }
    List<String> rest = Arrays.stream(df.columns()).filter(c -> !reserved.contains(c))
        .collect(Collectors.toList());
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(source + ": no feature columns (columns: "
          + Arrays.toString(df.columns()) + ")");
    }
    return numericColumns(df, rest, source);
  }

  private static Column numericColumns(Dataset<Row> df, List<String> names, String source) {
    List<Column> cols = new ArrayList<>();
    for (String name : names) {
      DataType t = field(df, name, source, "feature").dataType();
      if (!(t instanceof NumericType)) {
        List<Row> bad = df.filter(col(name).isNotNull()
            .and(col(name).try_cast(DataTypes.DoubleType).isNull())).select(name).takeAsList(1);
        throw new IllegalArgumentException(source + ": column '" + name + "' is "
            + t.simpleString() + ", expected numbers" + (bad.isEmpty() ? ""
            : " (first non-numeric value: '" + bad.get(0).get(0) + "')"));
      }
      cols.add(col(name).cast(DataTypes.DoubleType));
    }
    return array(cols.toArray(new Column[0]));
  }

  private static Column asDoubleArray(Dataset<Row> df, String name, String source, String role) {
    DataType t = field(df, name, source, role).dataType();
    if (t instanceof ArrayType a && a.elementType() instanceof NumericType) {
      return col(name).cast(DOUBLE_ARRAY);
    }
    if (isVector(t)) {
      return functions.vector_to_array(col(name), "float64");
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
      return col(name).cast(DataTypes.DoubleType);
    }
    if (t instanceof NumericType) {
      return array(col(name).cast(DataTypes.DoubleType));
    }
    return asDoubleArray(df, name, source, "targets");
  }

  private static boolean isVector(DataType t) {
    return t.getClass().getSimpleName().equals("VectorUDT");
  }

  private static StructField field(Dataset<Row> df, String name, String source, String role) {
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(source + ": no " + role + " column '" + name
        + "' (columns: " + String.join(", ", df.columns()) + ")");
  }
}
