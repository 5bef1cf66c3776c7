package io.sparkgemm.cli;

import static org.apache.spark.sql.functions.col;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.spark.BlockedInput;
import io.sparkgemm.spark.InputLoader;
import io.sparkgemm.spark.InputSpec;
import io.sparkgemm.spark.LabelKind;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.train.IterationRecord;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    BackendOptions backend = BackendOptions.defaults();
    Backends.select(backend);
    try (Sessions.Handle session = Sessions.open(spark.master, "spark-gemm bench-train")) {
      SparkSession s = session.spark();
      BlockedInput input = InputLoader.load(s, new InputSpec(x, null, "features", null, "id",
          LabelKind.CLASSES, "label", null, null, null, DType.FLOAT64, 0, 0));
      try {
        int d = input.numFeatures();
        // tol 0: exactly `iterations` iterations, as MLlib below.
        TrainSpec train = new TrainSpec("softmax-ce", "lbfgs", 1, 0, false, reg, iterations, 0,
            10, DType.FLOAT64, backend, 0);
        Objective objective = new Objective(s, input, classes, train);
        Trainer.Result ours = Trainer.train(objective, train,
            Trainer.Start.fresh(new double[d * classes + classes]), (r, t, v) -> { });
        double oursSeconds = 0;
        int oursIterations = 0;
        for (IterationRecord r : ours.history()) {
          if (r.iteration() > 0) {
            oursSeconds += r.seconds();
            oursIterations++;
          }
        }
        double oursPerIteration = oursSeconds / oursIterations;
        out.printf(Locale.ROOT, "X %d x %d -> %d classes, %d partitions, reg %g, read+block "
            + "%.1f s%n", input.numRows(), d, classes, input.numPartitions(), reg,
            input.seconds());
        out.printf(Locale.ROOT, "spark-gemm: %d iterations, %d passes, %.3f s per iteration, "
            + "objective %.10g%n", oursIterations, ours.passes(), oursPerIteration,
            ours.last().objective());
        out.flush();
        if (skipMllib) {
          return SparkGemmCli.OK;
        }
        Dataset<Row> df = s.read().parquet(x).select(
            functions.array_to_vector(col("features")).as("features"),
            col("label").cast("double").as("label"))
            .persist(StorageLevel.MEMORY_AND_DISK());
        df.count();
        LogisticRegression lr = new LogisticRegression().setFamily("multinomial")
            .setRegParam(reg).setElasticNetParam(0).setStandardization(false).setTol(0);
        // MLlib's fit also summarises and blocks the data: time 1 and 1 + N iterations and
        // take the difference, so only the iterations are compared.
        long t0 = System.nanoTime();
        lr.setMaxIter(1).fit(df);
        double one = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        LogisticRegressionModel model = lr.setMaxIter(1 + iterations).fit(df);
        double many = (System.nanoTime() - t0) / 1e9;
        int mllibIterations = model.summary().totalIterations();
        double mllibPerIteration = (many - one) / Math.max(1, mllibIterations - 1);
        df.unpersist();
        double[] theta = new double[d * classes + classes];
        Matrix coefficients = model.coefficientMatrix();
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < classes; j++) {
            theta[i * classes + j] = coefficients.apply(j, i);
          }
        }
        double[] intercepts = model.interceptVector().toArray();
        System.arraycopy(intercepts, 0, theta, d * classes, classes);
        double mllibObjective = objective.evaluate(theta, 0).value();
        out.printf(Locale.ROOT, "MLlib: %d iterations (fit with maxIter 1: %.1f s, with maxIter "
            + "%d: %.1f s), %.3f s per iteration, objective %.10g (its own history: %.10g)%n",
            mllibIterations, one, 1 + iterations, many, mllibPerIteration, mllibObjective,
            model.summary().objectiveHistory()[model.summary().objectiveHistory().length - 1]);
        out.printf(Locale.ROOT, "| %d x %d -> %d | %d | %.3f | %.3f | %.2fx | %.6g | %.6g |%n",
            input.numRows(), d, classes, iterations, oursPerIteration, mllibPerIteration,
            mllibPerIteration / oursPerIteration, ours.last().objective(), mllibObjective);
        out.flush();
      } finally {
        input.release();
      }
    }
    return SparkGemmCli.OK;
  }
}
