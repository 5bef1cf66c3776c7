package io.sparkgemm.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * MLlib's multinomial {@code LogisticRegression} on the same rows and labels, as a cached
 * DataFrame (label, features). Each fit runs {@code fitIterations} L-BFGS iterations (tol 0, no
 * regularisation). A {@link JobTimer} times every loss-and-gradient job (the treeAggregate in
 * {@code RDDLossFunction}); the first of each fit also standardises and blockifies the rows into
 * MLlib's cached blocks, so it counts as setup, not as a gradient job.
 */
final class LogisticRuns {
  static final String LOSS_JOB = "RDDLossFunction";

  /** The fitted model's W (d x k), b and MLlib's final training loss. */
  record Fit(double[] w, double[] b, double loss) {
  }

  private LogisticRuns() {
  }

  static Fit run(ShapeRun run) {
    int k = run.shape.k();
    long before = run.cachedBytesNow();
    Dataset<Row> df = frame(run).persist(StorageLevel.MEMORY_AND_DISK());
    run.spark.sparkContext().setJobDescription("spark-gemm bench: cache the LR DataFrame");
    df.count();
    long cached = run.cachedBytesNow() - before;
    JobTimer timer = new JobTimer();
    run.spark.sparkContext().addSparkListener(timer);
    try {
      LogisticRegression lr = new LogisticRegression().setFamily("multinomial")
          .setMaxIter(run.config.fitIterations()).setTol(0.0).setRegParam(0.0);
      List<Double> gradientJobs = new ArrayList<>();
      double[] fits = new double[run.config.reps()];
      double[] setups = new double[fits.length];
      LogisticRegressionModel model = null;
      int lossJobsLast = 0;
      for (int r = 0; r < fits.length; r++) {
        Timings.settle();
        run.spark.sparkContext().setJobDescription("spark-gemm bench: MLlib LogisticRegression");
        long startMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        model = lr.fit(df);
        fits[r] = (System.nanoTime() - start) / 1e9;
        JobTimer.drain(run.spark.sparkContext());
        List<JobTimer.Job> lossJobs = timer.jobsSince(startMillis).stream()
            .filter(j -> j.ranIn(LOSS_JOB)).toList();
        if (lossJobs.isEmpty()) {
          throw new IllegalStateException("No Spark job ran in " + LOSS_JOB + " during the fit: "
              + "cannot time MLlib's gradient jobs (did MLlib's code change?)");
        }
        setups[r] = (lossJobs.get(0).endMillis() - startMillis) / 1e3;
        lossJobsLast = lossJobs.size();
        for (JobTimer.Job job : lossJobs.subList(1, lossJobs.size())) {
          gradientJobs.add(job.seconds());
        }
      }
      Fit fit = fit(model, run.shape.d(), k);
      int threads = run.config.mainThreads();
      if (!gradientJobs.isEmpty()) {
        run.add(BenchConfig.LOGISTIC, Op.GRADIENT, threads,
            Timings.of(gradientJobs.stream().mapToDouble(Double::doubleValue).toArray()), null,
            cached, null, "each " + LOSS_JOB + " job of the fits but the first (SparkListener "
                + "job start to end; " + gradientJobs.size() + " jobs); float64");
      }
      run.add(BenchConfig.LOGISTIC, Op.FIT, threads, Timings.of(fits), null, cached,
          Timings.of(setups).median(), "fit(cached DataFrame): L-BFGS, tol 0, at most "
              + run.config.fitIterations() + " iterations; last fit: "
              + model.summary().totalIterations() + " iterations, " + lossJobsLast
              + " loss jobs; setup = statistics pass + first (blockifying) loss job");
      return fit;
    } finally {
      run.spark.sparkContext().removeSparkListener(timer);
      df.unpersist(true);
    }
  }

  private static Fit fit(LogisticRegressionModel model, int d, int k) {
    Matrix coefficients = model.coefficientMatrix(); // k x d
    double[] w = new double[d * k];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        w[j * k + c] = coefficients.apply(c, j);
      }
    }
    double[] history = model.summary().objectiveHistory();
    return new Fit(w, model.interceptVector().toArray(), history[history.length - 1]);
  }

  private static Dataset<Row> frame(ShapeRun run) {
    long n = run.shape.n();
    int partitions = run.partitions;
    List<long[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ranges.add(new long[] {n * p / partitions, n * (p + 1) / partitions});
    }
    return labelledRows(run.spark, run.data, run.shape.d(), ranges);
  }

  /**
   * The seeded rows as (label, features: a vector of d), made on the executors, one partition
   * per row range [from, to).
   */
  static Dataset<Row> labelledRows(SparkSession spark, SeededData data, int d,
      List<long[]> ranges) {
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(ranges, ranges.size()).flatMap(range -> {
          List<Row> out = new ArrayList<>();
          for (long r = range[0]; r < range[1]; r++) {
            double[] x = new double[d];
            data.xRow(r, x, 0);
            out.add(RowFactory.create((double) data.label(r), Vectors.dense(x)));
          }
          return out.iterator();
        });
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false);
    return spark.createDataFrame(rows, schema);
  }
}
