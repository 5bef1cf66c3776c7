package io.sparkgemm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.sql.SparkSession;

/**
 * The pipe part of {@code spark-gemm bench}: what a user waits for besides the GEMMs. Its
 * sections run in a scratch folder that is deleted afterwards.
 */
public final class PipeBench {
  public static final String FIXED_COST = "fixed-cost";
  public static final String INGEST = "ingest";
  public static final String TRAIN = "train";
  public static final String NETWORK = NetworkRuns.SECTION;
  public static final List<String> SECTIONS = List.of(FIXED_COST, INGEST, TRAIN, NETWORK);

  /**
   * @param sections a subset of {@link #SECTIONS}
   * @param ingest the ingest section's rows and features (k unused)
   * @param reps the ingest section's runs per contender
   * @param train the training rows' settings
   * @param network the network section's settings
   */
  public record Config(List<String> sections, Shape ingest, int reps, TrainRuns.Config train,
      NetworkRuns.Config network) {
    public Config {
      for (String s : sections) {
        if (!SECTIONS.contains(s)) {
          throw new IllegalArgumentException("Unknown --pipe section '" + s + "': expected "
              + "some of " + String.join(", ", SECTIONS) + ", or none");
        }
      }
      sections = List.copyOf(sections);
    }
  }

  private PipeBench() {
  }

  public static List<PipeRecord> run(SparkSession spark, Config config) {
    List<PipeRecord> out = new ArrayList<>();
    if (config.sections().isEmpty()) {
      return out;
    }
    Path scratch;
    try {
      scratch = Files.createTempDirectory("spark-gemm-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make a scratch folder for the bench", e);
    }
    try {
      if (config.sections().contains(FIXED_COST)) {
        out.add(fixedCost(spark, config.reps()));
      }
      if (config.sections().contains(INGEST)) {
        out.addAll(IngestRuns.bench(spark, config.ingest(), config.reps(),
            config.train().seed(), scratch.toString()));
      }
      if (config.sections().contains(TRAIN)) {
        out.addAll(TrainRuns.run(spark, config.train(), scratch));
      }
      if (config.sections().contains(NETWORK)) {
        out.addAll(NetworkRuns.run(spark, config.network()));
      }
      return out;
    } finally {
      delete(scratch);
    }
  }

  /** A softmax-ce pass over a tiny input, 100 timed passes per rep, against its GEMMs. */
  private static PipeRecord fixedCost(SparkSession spark, int reps) {
    int partitions = 2 * spark.sparkContext().defaultParallelism();
    FixedCostRuns.Result r = FixedCostRuns.run(spark, partitions, 100 * reps);
    Shape s = r.shape();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("pass_seconds", r.passSeconds());
    extra.put("gemm_seconds", r.gemmSeconds());
    extra.put("fixed_seconds", r.fixedSeconds());
    extra.put("partitions", partitions);
    return new PipeRecord(FIXED_COST, s.n() + "x" + s.d() + "->" + s.k() + " " + r.dtype().label()
        + " pass", BenchConfig.SPARK_GEMM, "-", Timings.of(new double[] {r.fixedSeconds()}),
        null, extra, "median of " + r.reps() + " softmax-ce passes (after 30 untimed) less the "
        + "floor's time for the same kernels on the same blocks");
  }

  private static void delete(Path folder) {
    if (!FileUtil.fullyDelete(folder.toFile())) {
      throw new UncheckedIOException(new IOException("Cannot delete the bench's scratch folder "
          + folder));
    }
  }
}
