package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.DataFrameInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.ann.FeedForwardTopology;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.BLAS$;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sigmoid network with a softmax-ce head, spark-gemm against MLlib's
 * MultilayerPerceptronClassifier on the same seeded rows and labels (one cached DataFrame) from
 * the same θ (MLlib's own random initial weights, whose layout is θ's): one loss-and-gradient
 * evaluation (spark-gemm's {@link Objective#evaluate}; MLlib's {@link MllibCost}, the
 * treeAggregate its L-BFGS runs per evaluation, over its stacked and cached blocks), both values
 * compared; and an L-BFGS fit of a fixed number of iterations each (tol 0), in seconds per
 * iteration.
 */
public final class NetworkRuns {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkRuns.class);
  public static final String SECTION = "network";
  public static final String MLLIB = "mllib-mlp";
  /** The stage name of MLlib's loss-and-gradient job ({@code treeAggregate at LBFGS.scala}). */
  static final String LOSS_JOB = "LBFGS.scala";

  /**
   * @param rows n
   * @param sizes d_0 .. d_L (sigmoid after every hidden layer; at least one hidden layer)
   * @param iterations L-BFGS iterations of each fit
   * @param reps timed evaluations per contender (after one untimed)
   * @param partitions partitions of the DataFrame (0: 2 per core)
   * @param stackSize MLlib's blockSize (rows per stacked block; its default 128)
   * @param dtype spark-gemm's blocks (MLlib's are float64 always)
   */
  public record Config(long rows, int[] sizes, int iterations, int reps, long seed,
      int partitions, int stackSize, DType dtype) {
    public Config {
      if (rows < 1 || sizes.length < 3 || Arrays.stream(sizes).anyMatch(s -> s < 1)) {
        throw new IllegalArgumentException("--network-shape needs N x D x H... x K with at "
            + "least one hidden layer and every size >= 1, got " + rows + "x"
            + String.join("x", Arrays.stream(sizes).mapToObj(String::valueOf).toList()));
      }
      if (sizes[sizes.length - 1] < 2) {
        throw new IllegalArgumentException("--network-shape needs K >= 2 classes, got "
            + sizes[sizes.length - 1]);
      }
      if (iterations < 1 || reps < 1 || stackSize < 1) {
        throw new IllegalArgumentException("--network-iterations, --reps and the stack size "
            + "must be >= 1, got " + iterations + ", " + reps + ", " + stackSize);
      }
      sizes = sizes.clone();
    }

    /** {@code NxD[xH...]xK}, e.g. {@code 200000x784x256x10}. */
    public static int[] parse(String text, long[] rows) {
      String[] parts = text.trim().toLowerCase(Locale.ROOT).split("x");
      if (parts.length < 4) {
        throw new IllegalArgumentException("Bad --network-shape '" + text + "': expected "
            + "NxDxH[xH...]xK, e.g. 200000x784x256x10");
      }
      try {
        rows[0] = Long.parseLong(parts[0].replace("_", ""));
        int[] sizes = new int[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
          sizes[i - 1] = Integer.parseInt(parts[i]);
        }
        return sizes;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad --network-shape '" + text + "': expected whole "
            + "numbers, e.g. 200000x784x256x10");
      }
    }

    Network network() {
      return Network.of(sizes[0], Arrays.copyOfRange(sizes, 1, sizes.length - 1),
          Activation.SIGMOID, sizes[sizes.length - 1]);
    }

    /** E.g. {@code 200000x784-256(sigmoid)-10}. */
    String describe() {
      return rows + "x" + network().describe();
    }
  }

  private NetworkRuns() {
  }

  public static List<PipeRecord> run(SparkSession spark, Config config) {
    Network network = config.network();
    // MLlib's own initial weights, the θ both start from
    double[] theta0 = FeedForwardTopology.multiLayerPerceptron(config.sizes(), true)
        .model(config.seed()).weights().toArray();
    int partitions = config.partitions() > 0 ? config.partitions()
        : 2 * spark.sparkContext().defaultParallelism();
    Dataset<Row> df = frame(spark, config, partitions).persist(StorageLevel.MEMORY_AND_DISK());
    spark.sparkContext().setJobDescription("spark-gemm bench: cache the network DataFrame");
    df.count();
    List<PipeRecord> out = new ArrayList<>();
    try {
      LOG.info("bench network {}: spark-gemm", config.describe());
      InputSpec spec = InputSpec.builder("bench network rows").featuresCol("features")
          .labels(LabelKind.CLASSES, "label", null).numClasses(network.outFeatures())
          .dtype(config.dtype()).build();
      BlockedInput input = DataFrameInput.load(spark, df, spec);
      Objective.Evaluation ours;
      try {
        TrainSpec train = TrainSpec.builder(Loss.SOFTMAX_CE).maxIter(config.iterations())
            .tol(0).dtype(config.dtype()).build();
        Objective objective = new Objective(spark, input, network, train);
        Objective.Evaluation[] last = new Objective.Evaluation[1];
        Timings evaluations = Timings.measure(1, config.reps(),
            () -> Timings.wall(() -> last[0] = objective.evaluate(theta0, 0)));
        ours = last[0];
        Timings.settle();
        Trainer.Result fit = Trainer.train(objective, train, Trainer.Start.fresh(theta0),
            (r, t, v) -> { });
        int iterations = fit.history().size() - 1;
        out.add(evaluationRecord(config, BenchConfig.SPARK_GEMM, evaluations,
            Map.of("objective", ours.value()), "Objective.evaluate at θ₀: one fused pass over "
                + "the cached " + config.dtype().label() + " blocks (" + input.numPartitions()
                + " partitions, blocks of <= " + input.blockRows() + " rows)"));
        out.add(fitRecord(config, BenchConfig.SPARK_GEMM, fit.seconds(), 0, iterations,
            fit.passes(), fit.last().objective(), Map.of(), "train's L-BFGS (Breeze's, m 10, "
                + "tol 0, " + config.dtype().label() + ") from θ₀; stopped: "
                + fit.stopReason()));
      } finally {
        input.release();
      }

      LOG.info("bench network {}: MLlib's MultilayerPerceptronClassifier", config.describe());
      MllibCost cost = new MllibCost(df, "features", "label", config.sizes(),
          config.stackSize());
      try {
        MllibCost.Evaluation[] last = new MllibCost.Evaluation[1];
        Timings evaluations = Timings.measure(1, config.reps(),
            () -> Timings.wall(() -> last[0] = cost.evaluate(theta0)));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("objective", last[0].value());
        figures.put("relative_difference", Math.abs(last[0].value() - ours.value())
            / Math.abs(ours.value()));
        figures.put("gradient_relative_difference", relative(last[0].gradient(),
            ours.gradient()));
        figures.put("mllib_blas", mllibBlas());
        out.add(evaluationRecord(config, MLLIB, evaluations, figures, "LBFGS.CostFun at θ₀: "
            + "a treeAggregate of ANNGradient over " + cost.numBlocks() + " stacked blocks of "
            + "<= " + config.stackSize() + " rows (cached); the differences are against "
            + "spark-gemm's value and gradient (MLlib averages block means: a short last "
            + "block weighs its rows more)"));
      } finally {
        cost.release();
      }
      out.add(mllibFit(spark, df, config, theta0));
      return out;
    } finally {
      df.unpersist(true);
    }
  }

  /** MultilayerPerceptronClassifier.fit from θ₀, its loss jobs timed by a listener. */
  private static PipeRecord mllibFit(SparkSession spark, Dataset<Row> df, Config config,
      double[] theta0) {
    JobTimer timer = new JobTimer();
    spark.sparkContext().addSparkListener(timer);
    try {
      MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier()
          .setLayers(config.sizes()).setInitialWeights(Vectors.dense(theta0))
          .setBlockSize(config.stackSize()).setSolver("l-bfgs").setMaxIter(config.iterations())
          .setTol(0.0);
      Timings.settle();
      spark.sparkContext().setJobDescription("spark-gemm bench: MLlib MultilayerPerceptron");
      long startMillis = System.currentTimeMillis();
      long start = System.nanoTime();
      MultilayerPerceptronClassificationModel model = mlp.fit(df);
      double seconds = (System.nanoTime() - start) / 1e9;
      JobTimer.drain(spark.sparkContext());
      List<JobTimer.Job> lossJobs = timer.jobsSince(startMillis).stream()
          .filter(j -> j.ranIn(LOSS_JOB)).toList();
      if (lossJobs.isEmpty()) {
        throw new IllegalStateException("No Spark job ran in " + LOSS_JOB + " during the MLP "
            + "fit: cannot time MLlib's loss jobs (did MLlib's code change?)");
      }
      double[] later = lossJobs.subList(1, lossJobs.size()).stream()
          .mapToDouble(JobTimer.Job::seconds).toArray();
      // setup: stacking and caching the rows, inside the first loss job beyond a loss job's time
      double setup = Math.max(0, (lossJobs.get(0).endMillis() - startMillis) / 1e3
          - (later.length > 0 ? Timings.of(later).median() : 0));
      double[] history = model.summary().objectiveHistory();
      return fitRecord(config, MLLIB, seconds, setup, history.length - 1, lossJobs.size(),
          history[history.length - 1], Map.of("mllib_blas", mllibBlas()),
          "MultilayerPerceptronClassifier.fit (l-bfgs, tol 0, blockSize " + config.stackSize()
              + ") from initialWeights θ₀; setup = stacking and caching the rows (in its first "
              + "loss job)");
    } finally {
      spark.sparkContext().removeSparkListener(timer);
    }
  }

  private static PipeRecord evaluationRecord(Config config, String contender, Timings t,
      Map<String, Object> figures, String note) {
    return new PipeRecord(SECTION, config.describe() + " loss+gradient", contender, "-", t,
        null, figures, note);
  }

  private static PipeRecord fitRecord(Config config, String contender, double seconds,
      double setup, int iterations, int evaluations, double objective,
      Map<String, Object> more, String note) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("fit_seconds", seconds);
    extra.put("setup_seconds", setup);
    extra.put("iterations", iterations);
    extra.put("evaluations", evaluations);
    extra.put("seconds_per_iteration", (seconds - setup) / Math.max(1, iterations));
    extra.put("objective", objective);
    extra.putAll(more);
    return new PipeRecord(SECTION, config.describe() + " " + config.iterations()
        + " L-BFGS it", contender, "-", Timings.of(new double[] {seconds}), null, extra, note);
  }

  /**
   * The BLAS MLlib's GEMMs run on: JNIBLAS (native) when spark-gemm's native backend loaded its
   * OpenBLAS into netlib first in this JVM, else netlib's Java BLAS unless the system has one.
   */
  static String mllibBlas() {
    return BLAS$.MODULE$.nativeBLAS().getClass().getSimpleName();
  }

  /** ||a − b|| / ||b||. */
  static double relative(double[] a, double[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) * (a[i] - b[i]);
      norm += b[i] * b[i];
    }
    return Math.sqrt(diff / norm);
  }

  /**
   * The seeded rows as (label, features), in partitions whose boundaries are multiples of the
   * stack size, so MLlib's blocks hold the same number of rows (but the last) and its objective
   * (a mean over blocks of each block's mean) is the mean over rows.
   */
  private static Dataset<Row> frame(SparkSession spark, Config config, int partitions) {
    int[] sizes = config.sizes();
    int d = sizes[0];
    SeededData data = new SeededData(new Shape(config.rows(), d, sizes[sizes.length - 1]),
        DType.FLOAT64, config.seed());
    long blocks = (config.rows() + config.stackSize() - 1) / config.stackSize();
    List<long[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ranges.add(new long[] {Math.min(config.rows(), blocks * p / partitions
          * config.stackSize()), Math.min(config.rows(), blocks * (p + 1) / partitions
          * config.stackSize())});
    }
    return LogisticRuns.labelledRows(spark, data, d, ranges);
  }
}
