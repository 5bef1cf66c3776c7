package io.sparkgemm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.data.Generator;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
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
 * Parquet, then for each format read, block and cache X with its labels and run L-BFGS from
 * W = 0, b = 0 for a fixed number of iterations (no tolerance stop); and scipy's L-BFGS-B on the
 * same .npy files and objective in one Python process, when {@code python3} with scipy is
 * installed. Times are wall seconds from the first byte read to the last iteration (the Spark
 * session and the Python interpreter are started before).
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
      Generator.generate(spark, new GenerateSpec(s.n(), s.d(), s.k(), "classification", format,
          config.seed(), 0.5, (format.equals("npy") ? npy : parquet).toString(), true,
          config.partitions()));
    }
    List<PipeRecord> out = new ArrayList<>();
    InputSpec fromNpy = InputSpec.builder(npy.resolve("X.npy").toString())
        .labels(LabelKind.CLASSES, null, npy.resolve("labels.npy").toString())
        .numClasses(s.k()).dtype(config.dtype()).partitions(config.partitions()).build();
    InputSpec fromParquet = InputSpec.builder(parquet.resolve("X.parquet").toString())
        .featuresCol("features").idCol("id").labels(LabelKind.CLASSES, "label", null)
        .numClasses(s.k()).dtype(config.dtype()).partitions(config.partitions()).build();
    out.add(ours(spark, config, what, "npy", fromNpy));
    out.add(ours(spark, config, what, "parquet", fromParquet));
    out.add(scipy(config, what, npy));
    return out;
  }

  private static PipeRecord ours(SparkSession spark, Config config, String what, String format,
      InputSpec spec) {
    LOG.info("bench train {}: spark-gemm from {}", what, format);
    Timings.settle();
    BlockedInput input = InputLoader.load(spark, spec);
    try {
      int d = input.numFeatures();
      int k = config.shape().k();
      TrainSpec train = TrainSpec.builder(Loss.SOFTMAX_CE).regParam(config.reg())
          .maxIter(config.iterations()).tol(0).dtype(config.dtype()).build();
      Trainer.Result result = Trainer.train(new Objective(spark, input, k, train), train,
          Trainer.Start.fresh(new double[d * k + k]), (r, t, v) -> { });
      int iterations = result.history().size() - 1;
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("read_block_seconds", input.seconds());
      extra.put("train_seconds", result.seconds());
      extra.put("iterations", iterations);
      extra.put("passes", result.passes());
      extra.put("seconds_per_iteration", result.seconds() / Math.max(1, iterations));
      extra.put("seconds_per_pass", result.seconds() / Math.max(1, result.passes()));
      extra.put("objective", result.last().objective());
      extra.put("partitions", input.numPartitions());
      return new PipeRecord("train", what, BenchConfig.SPARK_GEMM, format,
          Timings.of(new double[] {input.seconds() + result.seconds()}), null, extra,
          "read+block+cache then train's L-BFGS (m 10, tol 0, reg " + config.reg()
              + "); stopped: " + result.stopReason());
    } finally {
      input.release();
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
      Process p = new ProcessBuilder("python3", script.toString(),
          npy.resolve("X.npy").toString(), npy.resolve("labels.npy").toString(),
          Integer.toString(config.shape().k()), Integer.toString(config.iterations()),
          Double.toString(config.reg())).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
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
      return new PipeRecord("train", what, "scipy", "npy", Timings.of(new double[] {load
          + train}), null, extra, "scipy.optimize.minimize L-BFGS-B (maxcor 10, ftol 0, gtol 0)"
          + " in one process, numpy " + json.get("numpy") + ": " + json.get("message"));
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
