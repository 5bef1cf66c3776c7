package io.sparkgemm.bench;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.sparkgemm.local.DType;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.data.Generator;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingestion of one file, in seconds: read and block it through {@link InputLoader} (columnar
 * batches where Spark has them), the same through the row path, and Spark SQL's own scan of the
 * features column, {@code sum(aggregate(features, 0D, (a, x) -> a + x))}, which reads every
 * value. Each run reads the file from the start; the blocks are released after each. MB/s are
 * of the file's bytes on disk ({@link #fileBytes}).
 *
 * <p>{@code main(path [reps [featuresCol]])} runs the three interleaved on local[2] and prints
 * seconds and MB/s per run.
 */
public final class IngestRuns {
  private static final Logger LOG = LoggerFactory.getLogger(IngestRuns.class);

  private IngestRuns() {
  }

  /** Seconds to read and block {@code path} (features only) as {@code spark-gemm} does. */
  public static double readAndBlock(SparkSession spark, String path, String featuresCol,
      DType dtype) {
    return load(spark, path, featuresCol, dtype, true);
  }

  /** As {@link #readAndBlock}, through the row path (the reference). */
  public static double readAndBlockFromRows(SparkSession spark, String path, String featuresCol,
      DType dtype) {
    return load(spark, path, featuresCol, dtype, false);
  }

  private static double load(SparkSession spark, String path, String featuresCol, DType dtype,
      boolean columnar) {
    InputSpec spec = InputSpec.builder(path).featuresCol(featuresCol).dtype(dtype).build();
    long start = System.nanoTime();
    BlockedInput in = columnar ? InputLoader.load(spark, spec)
        : InputLoader.loadFromRows(spark, spec);
    double seconds = (System.nanoTime() - start) / 1e9;
    in.release();
    return seconds;
  }

  /** Seconds for Spark SQL to sum every value of the array column {@code featuresCol}. */
  public static double sqlScan(SparkSession spark, String path, String featuresCol) {
    String column = "`" + featuresCol.replace("`", "``") + "`";
    long start = System.nanoTime();
    List<Row> total = spark.read().parquet(path)
        .select(sum(expr("aggregate(" + column + ", 0D, (a, x) -> a + x)")))
        .collectAsList();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (total.size() != 1) {
      throw new IllegalStateException("Spark SQL's scan returned " + total.size() + " rows");
    }
    return seconds;
  }

  /** The bytes of the data files under {@code path} (hidden and _ files left out). */
  public static long fileBytes(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      long bytes = 0;
      for (FileStatus f : fs.listStatus(p)) {
        String name = f.getPath().getName();
        if (f.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
          bytes += f.getLen();
        }
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The bench's ingest section: {@code shape}'s rows (n x d; k is unused) written as Parquet,
   * .npy and CSV (the CSV with a sixteenth of the rows: text is slow to write), then per format
   * {@code reps} interleaved runs of spark-gemm's read+block and the reference reads. MB/s are
   * of X as float64 (n·d·8 bytes), so formats compare; the files' own bytes are in the rows.
   */
  static List<PipeRecord> bench(SparkSession spark, Shape shape, int reps, long seed,
      String scratch) {
    List<PipeRecord> out = new ArrayList<>();
    for (String format : List.of("parquet", "npy", "csv")) {
      long n = format.equals("csv") ? Math.max(1, shape.n() / 16) : shape.n();
      String folder = scratch + "/ingest-" + format;
      LOG.info("bench ingest: generating {} x {} as {}", n, shape.d(), format);
      Generator.generate(spark, new GenerateSpec(n, shape.d(), 1, "regression", format,
          seed, 0.5, folder, true, 0));
      String x = folder + "/X." + format;
      double raw = n * shape.d() * 8.0 / 1e6;
      String what = n + "x" + shape.d() + " float64";
      Map<String, Object> extra = Map.of("file_mb", fileBytes(spark, x) / 1e6, "x_mb", raw);
      List<double[]> runs = new ArrayList<>();
      for (int r = 0; r < reps; r++) {
        LOG.info("bench ingest {}: run {} of {}", format, r + 1, reps);
        runs.add(new double[] {
            format.equals("parquet") ? sqlScan(spark, x, "features")
                : format.equals("csv") ? csvScan(spark, x) : Double.NaN,
            readAndBlock(spark, x, format.equals("csv") ? null : "features", DType.FLOAT64),
            format.equals("parquet")
                ? readAndBlockFromRows(spark, x, "features", DType.FLOAT64) : Double.NaN});
      }
      String[] contenders = {"spark-sql-scan", BenchConfig.SPARK_GEMM, "spark-gemm-rows"};
      String[] notes = {format.equals("csv") ? "Spark SQL sums every column of the CSV"
          : "Spark SQL: sum(aggregate(features, 0D, (a, x) -> a + x)), every value read",
          format.equals("parquet") ? "read+block+cache from the scan's columnar batches"
              : "read+block+cache", "read+block+cache through Spark's rows (the row path)"};
      for (int c = 0; c < contenders.length; c++) {
        double[] seconds = new double[reps];
        for (int r = 0; r < reps; r++) {
          seconds[r] = runs.get(r)[c];
        }
        if (!Double.isNaN(seconds[0])) {
          Timings t = Timings.of(seconds);
          out.add(new PipeRecord("ingest", what, contenders[c], format, t, raw / t.median(),
              extra, notes[c]));
        }
      }
    }
    return out;
  }

  /** Seconds for Spark SQL to read every value of a CSV file with a header (a sum over rows). */
  static double csvScan(SparkSession spark, String path) {
    long start = System.nanoTime();
    Dataset<Row> df = spark.read().option("header", true).option("inferSchema", false)
        .csv(path);
    // One flat array of every column (a chain of 512 additions would overflow the planner's stack)
    Column[] columns = new Column[df.columns().length];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = col("`" + df.columns()[c].replace("`", "``") + "`").cast("double");
    }
    Column total = aggregate(array(columns), lit(0.0), (a, x) -> a.plus(x));
    List<Row> rows = df.select(sum(total)).collectAsList();
    if (rows.size() != 1) {
      throw new IllegalStateException("Spark SQL's scan returned " + rows.size() + " rows");
    }
    return (System.nanoTime() - start) / 1e9;
  }

  public static void main(String[] args) {
    String path = args[0];
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String featuresCol = args.length > 2 ? args[2] : "features";
    SparkSession spark = SparkSession.builder().master("local[2]").appName("IngestRuns")
        .config("spark.ui.enabled", "false").getOrCreate();
    double mb = fileBytes(spark, path) / 1e6;
    System.out.printf("%s: %.1f MB%n", path, mb);
    for (int r = 0; r < reps; r++) {
      double sql = sqlScan(spark, path, featuresCol);
      double columnar = readAndBlock(spark, path, featuresCol, DType.FLOAT64);
      double rows = readAndBlockFromRows(spark, path, featuresCol, DType.FLOAT64);
      System.out.printf("run %d: Spark SQL scan %.2f s (%.0f MB/s), read+block columnar %.2f s "
          + "(%.0f MB/s), read+block rows %.2f s (%.0f MB/s); columnar / SQL %.2fx%n", r, sql,
          mb / sql, columnar, mb / columnar, rows, mb / rows, sql / columnar);
    }
    spark.stop();
  }
}
