package io.sparkgemm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.local.DType;
import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.data.Generator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Softmax regression end to end, as a user runs it: the same seeded rows written as .npy and as
 * Parquet; {@code spark-gemm train} on each, L-BFGS from W = 0, b = 0 for a fixed number of
 * iterations (no tolerance stop), each in a JVM of its own; scipy's L-BFGS-B on the same .npy
 * files and objective in a new Python process, when {@code python3} with scipy is installed; and
 * MLlib's LogisticRegression on the Parquet file in a JVM of its own. Times are wall seconds
 * from the process's start to its exit, as a shell's {@code time} gives them.
 */
public final class TrainRuns {
  private static final Logger LOG = LoggerFactory.getLogger(TrainRuns.class);
  private static final String SCRIPT = "scipy_lbfgs.py";

  /**
   * @param shape n x d -> k classes
   * @param iterations L-BFGS iterations of every contender
   * @param reg the L2 strength of the objective
   */
  public record Config(Shape shape, int iterations, double reg, long seed, DType dtype,
      int partitions) {
  }

  private TrainRuns() {
  }

  /** Generates the data under {@code scratch}, runs every contender, returns their rows. */
  public static List<PipeRecord> run(SparkSession spark, Config config, Path scratch) {
    Shape s = config.shape();
    String what = String.format(Locale.ROOT, "%dx%d->%d softmax-ce, %d L-BFGS it", s.n(), s.d(),
        s.k(), config.iterations());
    Path npy = scratch.resolve("train-npy");
    Path parquet = scratch.resolve("train-parquet");
    for (String format : List.of("npy", "parquet")) {
      LOG.info("bench train {}: generating {} rows as {}", what, s.n(), format);
      Generator.generate(spark, GenerateSpec.builder(s.n(), s.d(), s.k())
          .task("classification").format(format).seed(config.seed()).noise(0.5)
          .out((format.equals("npy") ? npy : parquet).toString()).overwrite(true)
          .partitions(config.partitions()).build());
    }
    List<PipeRecord> out = new ArrayList<>();
    String master = spark.sparkContext().master();
    out.add(ours(config, what, "npy", List.of("--x", npy.resolve("X.npy").toString(),
        "--labels", npy.resolve("labels.npy").toString()), scratch, master));
    out.add(ours(config, what, "parquet", List.of("--x",
        parquet.resolve("X.parquet").toString(), "--labels-col", "label"), scratch, master));
    out.add(scipy(config, what, npy));
    out.add(mllib(config, what, parquet.resolve("X.parquet"), scratch, master));
    return out;
  }

  /** {@code spark-gemm train} on {@code input} in a JVM of its own, timed from the shell. */
  private static PipeRecord ours(Config config, String what, String format, List<String> input,
      Path scratch, String master) {
    LOG.info("bench train {}: spark-gemm train from {}", what, format);
    List<String> args = new ArrayList<>(List.of("train"));
    args.addAll(input);
    args.addAll(List.of("--loss", "softmax-ce", "--reg", Double.toString(config.reg()),
        "--max-iter", Integer.toString(config.iterations()), "--tol", "0", "--dtype",
        config.dtype().name().toLowerCase(Locale.ROOT)));
    if (config.partitions() > 0) {
      args.addAll(List.of("--partitions", Integer.toString(config.partitions())));
    }
    Timings.settle();
    CliRuns.Result run = CliRuns.inOwnJvm(args,
        scratch.resolve("train-runs").resolve(format).toString(), master);
    JsonNode report = run.report();
    int iterations = report.path("iterations").asInt();
    int passes = report.path("passes").asInt();
    double train = run.seconds("train");
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("command", "spark-gemm " + String.join(" ", args));
    extra.put("read_block_seconds", run.seconds("readAndBlock"));
    extra.put("train_seconds", train);
    extra.put("iterations", iterations);
    extra.put("passes", passes);
    extra.put("seconds_per_iteration", train / Math.max(1, iterations));
    extra.put("seconds_per_pass", run.seconds("passes") / Math.max(1, passes));
    extra.put("objective", report.path("finalObjective").asDouble());
    extra.put("partitions", report.path("partitions").asInt());
    return new PipeRecord("train", what, BenchConfig.SPARK_GEMM, format,
        Timings.of(new double[] {run.wallSeconds()}), null, extra,
        "the train command in a new JVM, wall clock from start to exit (JVM start included); "
            + "L-BFGS m 10, tol 0; stopped: " + report.path("stopReason").asText());
  }

  /** MLlib's LogisticRegression on the Parquet file in a JVM of its own ({@link MllibTrain}). */
  private static PipeRecord mllib(Config config, String what, Path parquet, Path scratch,
      String master) {
    LOG.info("bench train {}: MLlib LogisticRegression", what);
    Path console = scratch.resolve("train-runs").resolve("mllib.console");
    Timings.settle();
    double wall = CliRuns.ownJvm(MllibTrain.class.getName(), List.of(master, parquet.toString(),
        Integer.toString(config.iterations()), Double.toString(config.reg())), console);
    try {
      JsonNode json = new ObjectMapper().readTree(lastLine(Files.readString(console,
          StandardCharsets.UTF_8)));
      int iterations = json.path("iterations").asInt();
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("train_seconds", json.path("seconds").asDouble());
      extra.put("iterations", iterations);
      extra.put("seconds_per_iteration", json.path("seconds").asDouble()
          / Math.max(1, iterations));
      extra.put("objective", json.path("objective").asDouble());
      return new PipeRecord("train", what, "mllib", "parquet", Timings.of(new double[] {wall}),
          null, extra, "MLlib multinomial LogisticRegression (L-BFGS, tol 0, regParam " + config
              .reg() + ", standardization off) in a new JVM, wall clock from start to exit");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** scipy's L-BFGS-B on the .npy files, or a row saying why it did not run. */
  private static PipeRecord scipy(Config config, String what, Path npy) {
    Map<String, Object> extra = new LinkedHashMap<>();
    try {
      Path script = npy.resolve(SCRIPT);
      try (InputStream in = TrainRuns.class.getResourceAsStream(SCRIPT)) {
        Files.copy(in, script);
      }
      LOG.info("bench train {}: scipy L-BFGS-B", what);
      long start = System.nanoTime();
      Process p = new ProcessBuilder("python3", script.toString(),
          npy.resolve("X.npy").toString(), npy.resolve("labels.npy").toString(),
          Integer.toString(config.shape().k()), Integer.toString(config.iterations()),
          Double.toString(config.reg())).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = p.waitFor(1, TimeUnit.HOURS);
      double wall = (System.nanoTime() - start) / 1e9;
      if (!exited || p.exitValue() != 0) {
        return skipped(what, "python3 with numpy and scipy did not run: "
            + lastLine(output));
      }
      Map<?, ?> json = new ObjectMapper().readValue(lastLine(output), Map.class);
      double load = ((Number) json.get("load_seconds")).doubleValue();
      double train = ((Number) json.get("train_seconds")).doubleValue();
      int iterations = ((Number) json.get("iterations")).intValue();
      extra.put("read_block_seconds", load);
      extra.put("train_seconds", train);
      extra.put("iterations", iterations);
      extra.put("passes", json.get("evaluations"));
      extra.put("seconds_per_iteration", train / Math.max(1, iterations));
      extra.put("objective", json.get("objective"));
      return new PipeRecord("train", what, "scipy", "npy", Timings.of(new double[] {wall}),
          null, extra, "scipy.optimize.minimize L-BFGS-B (maxcor 10, ftol 0, gtol 0) in a new "
          + "python3, wall clock from start to exit, numpy " + json.get("numpy") + ": "
          + json.get("message"));
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("python3")) {
        return skipped(what, "no python3 on the PATH");
      }
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return skipped(what, "interrupted");
    }
  }

  private static PipeRecord skipped(String what, String why) {
    LOG.warn("bench train {}: scipy skipped: {}", what, why);
    return new PipeRecord("train", what, "scipy", "npy", Timings.of(new double[] {Double.NaN}),
        null, Map.of(), "skipped: " + why);
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }
}
