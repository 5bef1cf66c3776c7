package io.sparkgemm.bench;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.data.Generator;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest section's files: one seeded classification dataset written the ways users have it,
 * each with the {@code backward} command that reads X and its labels, and Spark SQL's scan of
 * every value of the same file (the reference rate).
 */
final class IngestFiles {
  private static final Logger LOG = LoggerFactory.getLogger(IngestFiles.class);

  private IngestFiles() {
  }

  /** Seconds of Spark SQL's scan of a file. */
  interface Scan {
    double seconds(SparkSession spark);
  }

  /**
   * A file to read.
   *
   * @param format the bench.json format: parquet (as generate writes it), parquet-columns (one
   *     column per feature), parquet-vector (an MLlib vector column), npy, csv
   * @param rows its rows (CSV: a sixteenth)
   * @param command the CLI command that reads it, without --out
   */
  record File(String format, String path, long rows, List<String> command, Scan scan,
      String scanNote) {
  }

  /** Writes the files under {@code scratch} and returns them in bench order. */
  static List<File> write(SparkSession spark, Shape shape, long seed, String scratch) {
    String k = Integer.toString(shape.k());
    List<String> loss = List.of("--loss", "softmax-ce", "--outputs", k, "--init", "xavier");
    String parquet = generate(spark, shape, shape.n(), "parquet", seed, scratch) + "/X.parquet";
    Dataset<Row> generated = spark.read().parquet(parquet);
    List<Column> columns = new ArrayList<>();
    for (int j = 0; j < shape.d(); j++) {
      columns.add(col("features").getItem(j).as("f" + j));
    }
    columns.add(col("label"));
    String perColumn = scratch + "/ingest-parquet-columns/X.parquet";
    write(generated.select(columns.toArray(new Column[0])), perColumn);
    String vector = scratch + "/ingest-parquet-vector/X.parquet";
    write(generated.select(functions.array_to_vector(col("features")).as("features"),
        col("label")), vector);
    String npy = generate(spark, shape, shape.n(), "npy", seed, scratch);
    long csvRows = Math.max(1, shape.n() / 16);
    String csv = generate(spark, shape, csvRows, "csv", seed, scratch) + "/X.csv";
    String allValues = "Spark SQL: the sum of every value of X and of the labels";
    return List.of(
        new File("parquet", parquet, shape.n(), command(parquet, loss, "--labels-col", "label"),
            s -> arrayScan(s, parquet, col("features"), "label"),
            allValues + " (aggregate over the features array)"),
        new File("parquet-columns", perColumn, shape.n(),
            command(perColumn, loss, "--labels-col", "label"), s -> columnsScan(s, perColumn,
                "parquet"), allValues + " (one array of every column)"),
        new File("parquet-vector", vector, shape.n(),
            command(vector, loss, "--labels-col", "label"), s -> arrayScan(s, vector,
                functions.vector_to_array(col("features"), "float64"), "label"),
            allValues + " (aggregate over vector_to_array(features))"),
        new File("npy", npy + "/X.npy", shape.n(),
            command(npy + "/X.npy", loss, "--labels", npy + "/labels.npy"), null, null),
        new File("csv", csv, csvRows, command(csv, loss, "--labels-col", "label"),
            s -> columnsScan(s, csv, "csv"), allValues + " (one array of every column)"));
  }

  private static String generate(SparkSession spark, Shape shape, long rows, String format,
      long seed, String scratch) {
    String folder = scratch + "/ingest-" + format;
    LOG.info("bench ingest: generating {} x {} -> {} classes as {}", rows, shape.d(), shape.k(),
        format);
    Generator.generate(spark, GenerateSpec.builder(rows, shape.d(), shape.k())
        .task("classification").format(format).seed(seed).noise(0.5).out(folder).overwrite(true)
        .build());
    return folder;
  }

  private static void write(Dataset<Row> df, String path) {
    LOG.info("bench ingest: writing {}", path);
    df.write().mode("overwrite").parquet(path);
  }

  private static List<String> command(String x, List<String> loss, String labelsFlag,
      String labels) {
    List<String> all = new ArrayList<>(List.of("backward", "--x", x, labelsFlag, labels));
    all.addAll(loss);
    return all;
  }

  /**
   * Seconds to sum every element of {@code values} (an array column) of a Parquet file, and each
   * of the columns {@code others}.
   */
  static double arrayScan(SparkSession spark, String path, Column values, String... others) {
    long start = System.nanoTime();
    Dataset<Row> df = spark.read().parquet(path);
    List<Column> sums = new ArrayList<>(List.of(sum(aggregate(values, lit(0.0),
        (a, x) -> a.plus(x)))));
    for (String other : others) {
      sums.add(sum(quoted(other)));
    }
    check(df.select(sums.toArray(new Column[0])).collectAsList());
    return (System.nanoTime() - start) / 1e9;
  }

  /** The column named {@code name}, whatever characters it holds. */
  static Column quoted(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  /** Seconds to sum every value of every column (one flat array per row) of a file. */
  static double columnsScan(SparkSession spark, String path, String format) {
    long start = System.nanoTime();
    Dataset<Row> df = format.equals("csv")
        ? spark.read().option("header", true).option("inferSchema", false).csv(path)
        : spark.read().parquet(path);
    // One flat array of every column (a chain of 512 additions would overflow the planner's stack)
    Column[] columns = new Column[df.columns().length];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = quoted(df.columns()[c]).cast("double");
    }
    Column total = aggregate(array(columns), lit(0.0), (a, x) -> a.plus(x));
    check(df.select(sum(total)).collectAsList());
    return (System.nanoTime() - start) / 1e9;
  }

  private static void check(List<Row> rows) {
    if (rows.size() != 1) {
      throw new IllegalStateException("Spark SQL's scan returned " + rows.size() + " rows");
    }
  }
}
