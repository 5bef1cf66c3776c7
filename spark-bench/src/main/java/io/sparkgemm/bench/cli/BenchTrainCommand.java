package io.sparkgemm.bench.cli;

import static org.apache.spark.sql.functions.col;

import io.sparkgemm.cli.MasterMixin;
import io.sparkgemm.cli.SparkGemmCli;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.IterationRecord;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.functions;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code spark-gemm bench-train}: seconds per L-BFGS iteration of softmax-ce training against
 * MLlib's multinomial LogisticRegression on the same cached data, the same iteration count and
 * the same objective (both evaluated by the same pass at the end).
 */
@Command(name = "bench-train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Seconds per iteration of train --loss softmax-ce --optimizer lbfgs against "
        + "MLlib's multinomial LogisticRegression (same data, iterations and objective). Used "
        + "by scripts/bench-train.sh.")
final class BenchTrainCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--x", required = true, description = "Parquet with features (array) and "
      + "label (int), as written by generate --task classification") String x;
  @Option(names = "--classes", required = true) int classes;
  @Option(names = "--iterations", defaultValue = "10") int iterations;
  @Option(names = "--reg", defaultValue = "1e-4") double reg;
  @Option(names = "--skip-mllib", description = "Time spark-gemm only.") boolean skipMllib;
  @Mixin
  MasterMixin spark;

  /** Start and end times of the jobs MLlib's loss function runs. */
  static final class LossJobTimes extends SparkListener {
    private final Set<Integer> lossJobs = ConcurrentHashMap.newKeySet();
    private final List<Long> ends = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      for (StageInfo stage : CollectionConverters.asJava(start.stageInfos())) {
        if (stage.name().contains("RDDLossFunction")) {
          lossJobs.add(start.jobId());
          return;
        }
      }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
      if (lossJobs.contains(end.jobId())) {
        ends.add(end.time());
      }
    }

    /** Listener events arrive asynchronously: wait (up to 30 s) for the last job's end. */
    void awaitAllEnded() {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (ends.size() < lossJobs.size() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    int jobs() {
      return ends.size();
    }

    /** From the end of the first loss job to the end of the last, in seconds. */
    double iterationSeconds() {
      synchronized (ends) {
        if (ends.size() < 2) {
          return Double.NaN;
        }
        return (Collections.max(ends) - Collections.min(ends)) / 1e3;
      }
    }
  }

  /** One spark-gemm run: the per-iteration time over the first `iterations`, the history. */
  private record Run(DType dtype, double readSeconds, int partitions, double perIteration,
      double objectiveAtN, int passes, List<IterationRecord> history) {
  }

  private Run ours(SparkSession s, DType dtype, BackendOptions backend, PrintWriter out,
      BlockedInput[] keep) {
    BlockedInput input = InputLoader.load(s, InputSpec.builder(x).featuresCol("features")
        .idCol("id").labels(LabelKind.CLASSES, "label", null).dtype(dtype).build());
    boolean kept = false;
    try {
      int d = input.numFeatures();
      // tol 0: a fixed iteration count. 2x MLlib's, to find where ours reaches MLlib's final
      // objective; the per-iteration time is taken over the first `iterations`.
      TrainSpec train = TrainSpec.builder(Loss.SOFTMAX_CE).learningRate(1).regParam(reg)
          .maxIter(2 * iterations).tol(0).dtype(dtype).backend(backend).build();
      Objective objective = new Objective(s, input, Network.linear(d, classes), train);
      Trainer.Result result = Trainer.train(objective, train,
          Trainer.Start.fresh(new double[objective.numParameters()]), (r, t, v) -> { });
      double seconds = 0;
      int counted = 0;
      IterationRecord atN = result.history().get(0);
      for (IterationRecord r : result.history()) {
        if (r.iteration() > 0 && r.iteration() <= iterations) {
          seconds += r.seconds();
          counted++;
          atN = r;
        }
      }
      out.printf(Locale.ROOT, "spark-gemm %s: X %d x %d -> %d classes, %d partitions, reg %g, "
          + "read+block %.1f s; %d iterations: %.3f s per iteration, objective %.10g "
          + "(%d passes for %d iterations)%n", dtype.label(), input.numRows(), d, classes,
          input.numPartitions(), reg, input.seconds(), counted, seconds / counted,
          atN.objective(), result.passes(), 2 * iterations);
      out.flush();
      if (keep != null) {
        keep[0] = input;
        kept = true;
      }
      return new Run(dtype, input.seconds(), input.numPartitions(), seconds / counted,
          atN.objective(), result.passes(), result.history());
    } finally {
      if (!kept) {
        input.release();
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    BackendOptions backend = BackendOptions.defaults();
    Backends.select(backend);
    try (Sessions.Handle session = Sessions.open(spark.master(), "spark-gemm bench-train")) {
      SparkSession s = session.spark();
      Run f32 = ours(s, DType.FLOAT32, backend, out, null);
      BlockedInput[] f64Input = new BlockedInput[1];
      Run f64 = ours(s, DType.FLOAT64, backend, out, f64Input);
      BlockedInput input = f64Input[0];
      try {
        if (skipMllib) {
          return SparkGemmCli.OK;
        }
        int d = input.numFeatures();
        Dataset<Row> df = s.read().parquet(x).select(
            functions.array_to_vector(col("features")).as("features"),
            col("label").cast("double").as("label"))
            .persist(StorageLevel.MEMORY_AND_DISK());
        df.count();
        LogisticRegression lr = new LogisticRegression().setFamily("multinomial")
            .setRegParam(reg).setElasticNetParam(0).setStandardization(false).setTol(0)
            .setMaxIter(iterations);
        // MLlib's fit first summarises and blocks the data; its iterations are the jobs of its
        // loss function (RDDLossFunction), timed by a listener from the end of the first
        // (the starting point, as ours) to the end of the last.
        LossJobTimes times = new LossJobTimes();
        s.sparkContext().addSparkListener(times);
        long t0 = System.nanoTime();
        LogisticRegressionModel model = lr.fit(df);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        times.awaitAllEnded();
        s.sparkContext().removeSparkListener(times);
        int mllibIterations = model.summary().totalIterations();
        double mllibPerIteration = times.iterationSeconds() / mllibIterations;
        df.unpersist();
        // MLlib's coefficients are classes x d, and toArray() is column-major: W (d x classes)
        // row-major
        DenseBlock w = DenseBlock.ofDoubles(d, classes, model.coefficientMatrix().toArray());
        Theta at = Theta.linear(w, model.interceptVector().toArray());
        TrainSpec evaluation = TrainSpec.builder(Loss.SOFTMAX_CE).learningRate(1).regParam(reg)
            .maxIter(0).tol(0).dtype(DType.FLOAT64).backend(backend).build();
        double mllibObjective = new Objective(s, input, at.network(), evaluation)
            .evaluate(at.values(), 0).value();
        out.printf(Locale.ROOT, "MLlib: %d iterations, %d loss evaluations, fit %.1f s of which "
            + "iterations %.1f s: %.3f s per iteration, objective %.10g (its own history: "
            + "%.10g)%n", mllibIterations, times.jobs(), fitSeconds, times.iterationSeconds(),
            mllibPerIteration, mllibObjective,
            model.summary().objectiveHistory()[model.summary().objectiveHistory().length - 1]);
        for (Run run : List.of(f64, f32)) {
          // Ours to MLlib's final objective: the first iteration at or below it.
          double toTarget = 0;
          int reached = -1;
          for (IterationRecord r : run.history()) {
            if (r.iteration() > 0) {
              toTarget += r.seconds();
            }
            if (r.objective() <= mllibObjective) {
              reached = r.iteration();
              break;
            }
          }
          String equal = reached < 0 ? "not reached in " + 2 * iterations
              : String.format(Locale.ROOT, "%d it, %.1f s", reached, toTarget);
          out.printf(Locale.ROOT, "| %d x %d -> %d | %s | %d | %.3f | %.3f | %.2fx | %.6g | "
              + "%.6g | %s | %.1f s | %s | %.0f s | %.0f s |%n", input.numRows(), d, classes,
              run.dtype().label(), iterations, run.perIteration(), mllibPerIteration,
              mllibPerIteration / run.perIteration(), run.objectiveAtN(), mllibObjective, equal,
              times.iterationSeconds(), reached < 0 ? "-"
                  : String.format(Locale.ROOT, "%.2fx", times.iterationSeconds() / toTarget),
              run.readSeconds(), fitSeconds - times.iterationSeconds());
        }
        out.flush();
      } finally {
        input.release();
      }
    }
    return SparkGemmCli.OK;
  }
}
