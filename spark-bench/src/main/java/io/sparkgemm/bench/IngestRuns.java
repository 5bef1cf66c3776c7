package io.sparkgemm.bench;


import io.sparkgemm.local.DType;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingestion, in seconds. The bench's ingest section ({@link #bench}) reads the files of
 * {@link IngestFiles} through the CLI's commands ({@link CliRuns}). For one file at hand,
 * {@code main(path [reps [featuresCol]])} runs on local[2], interleaved: read and block through
 * {@link InputLoader} (columnar batches where Spark has them), the same through the row path, and
 * Spark SQL's own scan of the features column, which reads every value; it prints seconds and
 * MB/s of the file's bytes on disk ({@link #fileBytes}) per run.
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
    return IngestFiles.arrayScan(spark, path, IngestFiles.quoted(featuresCol));
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
   * The bench's ingest section: the same rows ({@code shape}: n x d, k classes) in the files users
   * have, each read by the command a user types ({@code backward --loss softmax-ce} with its
   * labels, {@link CliRuns}): Parquet as {@code generate} writes it (id, features array, label),
   * as pandas/pyarrow users write it (one double column per feature and a label column), and with
   * an MLlib vector column (what {@code VectorAssembler} makes); .npy with labels.npy; CSV with a
   * label column (a sixteenth of the rows: text is slow to write). Per file, {@code reps}
   * interleaved runs of Spark SQL's scan of every value and of the command in this JVM, and one
   * run of the command in a JVM of its own (what a user waits for: the JVM starts cold). Seconds
   * are report.json's read+block; MB/s are of X as float64 (n·d·8), so files compare.
   */
  static List<PipeRecord> bench(SparkSession spark, Shape shape, int reps, long seed,
      String scratch) {
    if (shape.k() < 2) {
      throw new IllegalArgumentException("--ingest-shape needs K >= 2 classes, got " + shape);
    }
    List<PipeRecord> out = new ArrayList<>();
    for (IngestFiles.File file : IngestFiles.write(spark, shape, seed, scratch)) {
      double raw = file.rows() * shape.d() * 8.0 / 1e6;
      String what = file.rows() + "x" + shape.d() + " float64, " + shape.k() + " classes";
      Map<String, Object> extra = Map.of("file_mb", fileBytes(spark, file.path()) / 1e6,
          "x_mb", raw, "command", String.join(" ", file.command()));
      LOG.info("bench ingest {}: the command in a JVM of its own", file.format());
      CliRuns.Result own = CliRuns.inOwnJvm(file.command(),
          runsFolder(scratch, file.format() + "-own"), spark.sparkContext().master());
      double[] sql = new double[reps];
      double[] here = new double[reps];
      for (int r = 0; r < reps; r++) {
        LOG.info("bench ingest {}: run {} of {}", file.format(), r + 1, reps);
        sql[r] = file.scan() == null ? Double.NaN : file.scan().seconds(spark);
        here[r] = CliRuns.inThisJvm(file.command(), runsFolder(scratch, file.format()))
            .seconds("readAndBlock");
      }
      Timings sqlTimes = null;
      if (file.scan() != null) {
        sqlTimes = Timings.of(sql);
        out.add(new PipeRecord("ingest", what, "spark-sql-scan", file.format(), sqlTimes,
            raw / sqlTimes.median(), extra, file.scanNote()));
      }
      Timings hereTimes = Timings.of(here);
      out.add(new PipeRecord("ingest", what, BenchConfig.SPARK_GEMM, file.format(), hereTimes,
          raw / hereTimes.median(), withRatio(extra, sqlTimes, hereTimes),
          "read+block+cache of the command in the bench's JVM (report.json)"));
      Timings ownTimes = Timings.of(new double[] {own.seconds("readAndBlock")});
      Map<String, Object> ownExtra = new LinkedHashMap<>(withRatio(extra, sqlTimes, ownTimes));
      ownExtra.put("wall_seconds", own.wallSeconds());
      out.add(new PipeRecord("ingest", what, BenchConfig.SPARK_GEMM + "-own-jvm", file.format(),
          ownTimes, raw / ownTimes.median(), ownExtra, "read+block+cache of the command in a "
              + "new JVM (report.json); wall_seconds: the whole command, JVM start included"));
    }
    return out;
  }

  /** Where a command of the ingest section writes its outputs. */
  private static String runsFolder(String scratch, String name) {
    return scratch + "/ingest-runs/" + name;
  }

  /**
   * {@code extra} with {@code sql_scan_ratio}: Spark SQL's median seconds over ours (none without
   * a scan).
   */
  private static Map<String, Object> withRatio(Map<String, Object> extra, Timings sql,
      Timings ours) {
    Map<String, Object> all = new LinkedHashMap<>(extra);
    if (sql != null) {
      all.put("sql_scan_ratio", sql.median() / ours.median());
    }
    return all;
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
