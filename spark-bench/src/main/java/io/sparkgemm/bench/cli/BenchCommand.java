package io.sparkgemm.bench.cli;

import io.sparkgemm.bench.Bench;
import io.sparkgemm.bench.BenchConfig;
import io.sparkgemm.bench.BenchOutput;
import io.sparkgemm.bench.BenchRecord;
import io.sparkgemm.bench.NetworkRuns;
import io.sparkgemm.bench.PipeBench;
import io.sparkgemm.bench.PipeRecord;
import io.sparkgemm.bench.Shape;
import io.sparkgemm.bench.TrainRuns;
import io.sparkgemm.cli.BackendMixin;
import io.sparkgemm.cli.MasterMixin;
import io.sparkgemm.cli.SparkGemmCli;
import io.sparkgemm.local.DType;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.output.OutputDir;
import io.sparkgemm.spark.output.OutputPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm bench}: spark-gemm against MLlib and the single-process floor. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Side-by-side benchmark on the same seeded data: the floor (the same kernels "
        + "on the same blocks, one JVM, no Spark), spark-gemm (forward, backward, backward+dx, "
        + "gradient, fused, a 20-iteration fit), MLlib RowMatrix.multiply, BlockMatrix.multiply "
        + "(forward and XᵀG) and multinomial LogisticRegression (per gradient job, and a fit). "
        + "Every result is checked against the floor's. Then the pipe table (--pipe): a pass's "
        + "fixed cost, ingestion per format against Spark SQL's own scan, training end to "
        + "end from .npy and Parquet against scipy, and a sigmoid network against MLlib's "
        + "MultilayerPerceptronClassifier. Writes OUT/bench.json and OUT/bench.png "
        + "and prints the tables. Used by scripts/bench.sh."})
final class BenchCommand implements Callable<Integer> {
  /** The quick run's shapes, contenders and pipe sections: a few minutes on 2 cores. */
  static final String QUICK_SHAPES = "200000x256x128";
  static final String QUICK_CONTENDERS = "floor,spark-gemm";
  static final String QUICK_PIPE = "fixed-cost";
  /** --full's: every contender and section, about 25 minutes on 2 cores. */
  static final String FULL_SHAPES = "1000000x512x256,200000x1024x1024,4000000x64x64,"
      + "200000x784x10";
  static final String FULL_CONTENDERS = "floor,spark-gemm,mllib-rowmatrix,mllib-blockmatrix,"
      + "mllib-lr";
  static final String ALL_PIPE = "fixed-cost,ingest,train,network";

  @Spec
  CommandSpec spec;

  @Option(names = "--full", description = "Everything: the shapes " + FULL_SHAPES + " (the "
      + "last is the LogisticRegression goal's shape), every contender and every pipe section, "
      + "about 25 minutes on 2 cores; options given still apply. Without it, a quick run of a "
      + "few minutes: " + QUICK_SHAPES + ", " + QUICK_CONTENDERS + ", --pipe " + QUICK_PIPE + ".")
  boolean full;

  @Option(names = "--shapes", paramLabel = "NxDxK[,NxDxK...]",
      description = "X is N x D, W is D x K (K classes for LogisticRegression, which runs on the "
          + "shapes with 2 <= K <= 256; none: no shape rows). Default: " + QUICK_SHAPES
          + " (--full: " + FULL_SHAPES + ").")
  String shapes;

  @Option(names = "--dtype", defaultValue = DType.DEFAULT_LABEL, paramLabel = "float64|float32",
      description = "Block dtype of the floor and spark-gemm (MLlib is float64 only; it gets the "
          + "same values). Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--reps", defaultValue = "3", paramLabel = "R",
      description = "Timed repetitions after one warm-up (fits: R fits). Default: "
          + "${DEFAULT-VALUE}.")
  int reps;

  @Option(names = "--contenders", paramLabel = "LIST",
      description = "Subset of " + FULL_CONTENDERS + ". The floor's results are computed "
          + "anyway: every contender is checked against them. Default: " + QUICK_CONTENDERS
          + " (--full: all).")
  String contenders;

  @Option(names = "--blas-threads", defaultValue = "1,cores", paramLabel = "N[,M...]",
      description = "OpenBLAS threads per Spark task (and per floor thread): the first for "
          + "every contender, the others ('cores' = the master's parallelism) for extra fused "
          + "rows that show oversubscription. Default: ${DEFAULT-VALUE}.")
  String blasThreads;

  @Option(names = "--partitions", descriptionKey = "partitions", defaultValue = "0",
      paramLabel = "P",
      description = "Partitions of every contender's cached X (0: 2 per core).")
  int partitions;

  @Option(names = "--block-rows", descriptionKey = "blockRows", defaultValue = InputSpec.BLOCK_ROWS,
      paramLabel = "ROWS",
      description = "Rows per spark-gemm and floor block (0: about 4 MB of X).")
  int blockRows;

  @Option(names = "--seed", defaultValue = "42", description = "Data seed. Default: "
      + "${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--warmup", defaultValue = "2", paramLabel = "W",
      description = "Untimed runs of each operation before its timed runs (after the run that "
          + "is checked against the floor); fits get none. Default: ${DEFAULT-VALUE}.")
  int warmups;

  @Option(names = "--fit-iterations", defaultValue = "20", paramLabel = "N",
      description = "Iterations of each fit. Default: ${DEFAULT-VALUE}.")
  int fitIterations;

  @Option(names = "--pipe", paramLabel = "LIST",
      description = "Sections of the pipe table (what surrounds the GEMMs), a subset of "
          + ALL_PIPE + ", all, or none. Default: " + QUICK_PIPE + " (--full: all). "
          + "fixed-cost: seconds per softmax-ce pass over a tiny "
          + "1000x784->10 input beyond its GEMMs (median of 100 x --reps passes). ingest: "
          + "read+block of --ingest-shape by the backward command (in the bench's JVM, and "
          + "once in a JVM of its own) from Parquet as generate writes it, with one column "
          + "per feature and with an MLlib vector column, .npy and CSV (a sixteenth of the "
          + "rows), in MB/s, against Spark SQL's own scan of the same file. train: softmax "
          + "regression end to end from .npy and from Parquet (read, block, "
          + "--train-iterations L-BFGS iterations), and scipy's L-BFGS-B on the same .npy "
          + "when python3 with scipy is installed. network: a sigmoid network "
          + "(--network-shape) against MLlib's MultilayerPerceptronClassifier from the "
          + "same initial weights: one loss-and-gradient evaluation (both values compared) "
          + "and an L-BFGS fit of --network-iterations iterations.")
  String pipe;

  @Option(names = "--ingest-shape", defaultValue = "400000x512x10", paramLabel = "NxDxK",
      description = "The ingest section's rows, features (float64) and classes. Default: "
          + "${DEFAULT-VALUE} (1.6 GB of X).")
  String ingestShape;

  @Option(names = "--train-shape", defaultValue = "60000x784x10", paramLabel = "NxDxK",
      description = "The train section's rows, features and classes. Default: ${DEFAULT-VALUE} "
          + "(Fashion-MNIST's training set).")
  String trainShape;

  @Option(names = "--train-iterations", defaultValue = "100", paramLabel = "N",
      description = "L-BFGS iterations of the train section. Default: ${DEFAULT-VALUE}.")
  int trainIterations;

  @Option(names = "--train-reg", defaultValue = "1e-4", paramLabel = "REG",
      description = "L2 strength of the train section's objective. Default: ${DEFAULT-VALUE}.")
  double trainReg;

  @Option(names = "--network-shape", defaultValue = "200000x784x256x10",
      paramLabel = "NxDxH[xH...]xK", description = "The network section's rows and layer "
          + "sizes (sigmoid hidden layers, softmax-ce). Default: ${DEFAULT-VALUE}.")
  String networkShape;

  @Option(names = "--network-iterations", defaultValue = "20", paramLabel = "N",
      description = "L-BFGS iterations of the network section's fits. Default: "
          + "${DEFAULT-VALUE}.")
  int networkIterations;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder for bench.json and bench.png (written all or nothing).")
  String out;

  @Option(names = "--overwrite", description = "Replace an existing --out.")
  boolean overwrite;

  @Mixin
  MasterMixin master;

  @Override
  public Integer call() {
    resolveDefaults();
    List<Shape> shapeList = Shape.parseList(shapes);
    DType type = DType.parse(dtype);
    List<String> contenderList = Arrays.stream(contenders.split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).toList();
    PipeBench.Config pipeConfig = pipeConfig(type);
    OutputPaths.check(out, overwrite, Map.of(), null, OutputPaths.hadoopConf());
    try (Sessions.Handle session = Sessions.open(master.master(), "spark-gemm bench")) {
      int cores = Math.max(1, Math.min(session.spark().sparkContext().defaultParallelism(),
          Runtime.getRuntime().availableProcessors()));
      BenchConfig config = new BenchConfig(shapeList, type, reps, contenderList,
          threads(blasThreads, cores), partitions, blockRows, seed, fitIterations, warmups);
      OutputDir dir = OutputDir.create(out, overwrite,
          session.spark().sparkContext().hadoopConfiguration());
      try (dir) {
        List<BenchRecord> records = Bench.run(session.spark(), config);
        List<PipeRecord> pipeRecords = PipeBench.run(session.spark(), pipeConfig);
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "spark-gemm bench: master %s, %d cores, %s, %d reps "
            + "(median, min, max of the timed runs after %d untimed)%n", master.master(), cores,
            type.label(), reps, warmups);
        BenchOutput.printTable(console, records);
        BenchOutput.printPipeTable(console, pipeRecords);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("command", "bench");
        settings.put("master", master.master());
        settings.put("cores", cores);
        settings.put("dtype", type.label());
        settings.put("reps", reps);
        settings.put("warmup", warmups);
        settings.put("blas_threads", config.blasThreads());
        settings.put("seed", seed);
        settings.put("fit_iterations", fitIterations);
        settings.put("java", System.getProperty("java.version"));
        settings.put("spark", session.spark().version());
        settings.put("available_processors", Runtime.getRuntime().availableProcessors());
        write(dir, "bench.json", s -> BenchOutput.writeJson(s, settings, records,
            pipeRecords));
        if (!records.isEmpty()) {
          write(dir, "bench.png", s -> BenchOutput.writeChart(s, records,
              config.mainThreads()));
        }
        dir.commit();
        console.println("wrote " + dir.target() + "/bench.json"
            + (records.isEmpty() ? " (no shape rows, so no bench.png)" : " and bench.png"));
        if (!full) {
          console.println("The rest: --full runs every shape, contender and pipe section (about "
              + "25 minutes on 2 cores); one part alone: --shapes none --pipe ingest (or train, "
              + "network, fixed-cost), or --shapes NxDxK --contenders " + FULL_CONTENDERS
              + " --pipe none.");
        }
        console.flush();
      }
    }
    return SparkGemmCli.OK;
  }

  /** The quick run's shapes, contenders and pipe sections, or --full's, where none was given. */
  void resolveDefaults() {
    shapes = shapes != null ? shapes : full ? FULL_SHAPES : QUICK_SHAPES;
    contenders = contenders != null ? contenders : full ? FULL_CONTENDERS : QUICK_CONTENDERS;
    pipe = pipe != null ? pipe : full ? ALL_PIPE : QUICK_PIPE;
  }

  /** The pipe sections asked for, checked before Spark starts. */
  private PipeBench.Config pipeConfig(DType type) {
    String asked = pipe.trim().equalsIgnoreCase("all") ? ALL_PIPE : pipe;
    List<String> sections = asked.trim().equalsIgnoreCase("none") ? List.of()
        : Arrays.stream(asked.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    List<Shape> train = Shape.parseList(trainShape);
    if (train.size() != 1 || train.get(0).k() < 2) {
      throw new IllegalArgumentException("--train-shape needs one NxDxK with K >= 2 classes, "
          + "got " + trainShape);
    }
    if (trainIterations < 1 || !(trainReg >= 0) || Double.isInfinite(trainReg)) {
      throw new IllegalArgumentException("--train-iterations must be >= 1 and --train-reg a "
          + "finite value >= 0, got " + trainIterations + " and " + trainReg);
    }
    List<Shape> ingest = Shape.parseList(ingestShape);
    if (ingest.size() != 1 || ingest.get(0).k() < 2) {
      throw new IllegalArgumentException("--ingest-shape needs one NxDxK with K >= 2 classes, "
          + "got " + ingestShape);
    }
    long[] rows = new long[1];
    int[] sizes = NetworkRuns.Config.parse(networkShape, rows);
    return new PipeBench.Config(sections, ingest.get(0), reps, new TrainRuns.Config(
        train.get(0), trainIterations, trainReg, seed, type, partitions), new NetworkRuns.Config(
        rows[0], sizes, networkIterations, reps, seed, partitions, 128, type));
  }

  /** {@code 1,cores} and the like, with 'cores' resolved. */
  static List<Integer> threads(String text, int cores) {
    List<Integer> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String t = part.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        continue;
      }
      try {
        out.add(t.equals("cores") ? cores : Integer.parseInt(t));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad --blas-threads '" + part.trim() + "': expected "
            + "whole numbers or 'cores', e.g. 1,cores");
      }
      if (!t.equals("cores") && out.get(out.size() - 1) > BackendMixin.MAX_BLAS_THREADS) {
        throw new IllegalArgumentException("--blas-threads must be between 1 and "
            + BackendMixin.MAX_BLAS_THREADS + ", got " + part.trim());
      }
    }
    return out;
  }

  private interface Writer {
    void write(OutputStream stream);
  }

  private static void write(OutputDir dir, String name, Writer writer) {
    try (OutputStream stream = dir.create(name)) {
      writer.write(stream);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name, e);
    }
  }
}
