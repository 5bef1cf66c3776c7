package io.sparkgemm.bench;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.spark.input.InputSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark-gemm bench}: for each shape, the floor's reference results and timings, then each
 * contender with X cached in its own form (and released before the next), every result checked
 * against the floor's.
 */
public final class Bench {
  /** The shapes the multinomial LogisticRegression contender runs on: 2 to 256 classes. */
  static final int MAX_CLASSES = 256;

  private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

  private Bench() {
  }

  /** Runs every shape; returns all records. */
  public static List<BenchRecord> run(SparkSession spark, BenchConfig config) {
    int parallelism = spark.sparkContext().defaultParallelism();
    int cores = Math.max(1, Math.min(parallelism, Runtime.getRuntime().availableProcessors()));
    int partitions = config.partitions() > 0 ? config.partitions() : 2 * parallelism;
    List<BenchRecord> all = new ArrayList<>();
    for (Shape shape : config.shapes()) {
      int blockRows = config.blockRows() > 0 ? config.blockRows()
          : InputSpec.defaultBlockRows(shape.d(), config.dtype());
      ShapeRun run = new ShapeRun(spark, config, shape, cores, partitions,
          (int) Math.min(blockRows, shape.n()));
      LOG.info("bench {} {}: floor", shape, config.dtype().label());
      FloorRuns.run(run);
      SparkGemmRuns.FitState ours = null;
      if (config.runs(BenchConfig.SPARK_GEMM)) {
        LOG.info("bench {}: spark-gemm", shape);
        ours = SparkGemmRuns.run(run);
      }
      if (config.runs(BenchConfig.ROW_MATRIX)) {
        LOG.info("bench {}: MLlib RowMatrix", shape);
        MatrixRuns.rowMatrix(run);
      }
      if (config.runs(BenchConfig.BLOCK_MATRIX)) {
        LOG.info("bench {}: MLlib BlockMatrix", shape);
        MatrixRuns.blockMatrix(run);
      }
      // MLlib calls the same netlib/OpenBLAS: give it the main rows' thread count.
      Backends.nativeBackend(new BackendOptions("native", config.mainThreads(), null));
      LogisticRuns.Fit lr = null;
      if (config.runs(BenchConfig.LOGISTIC)) {
        if (shape.k() < 2 || shape.k() > MAX_CLASSES) {
          LOG.warn("bench {}: MLlib LogisticRegression skipped: k = {} is not a classification "
              + "shape here (it runs for 2 <= k <= {} classes)", shape, shape.k(), MAX_CLASSES);
        } else {
          LOG.info("bench {}: MLlib LogisticRegression", shape);
          lr = LogisticRuns.run(run);
        }
      }
      checkFits(run, ours, lr);
      all.addAll(run.records);
    }
    return all;
  }

  /**
   * The fits are checked once both are done: the floor's softmax-ce loss at the fitted W and b
   * against the loss each contender reported there.
   */
  private static void checkFits(ShapeRun run, SparkGemmRuns.FitState ours, LogisticRuns.Fit lr) {
    if (ours != null) {
      GradientAccumulator at = FloorRuns.evaluate(run, ours.w(), ours.b());
      setError(run, BenchConfig.SPARK_GEMM, Op.FIT, Norms.relativeError(ours.loss(), at.loss()));
    }
    if (lr != null) {
      DenseBlock w = DenseBlock.ofDoubles(run.shape.d(), run.shape.k(), lr.w())
          .toDType(run.dtype());
      GradientAccumulator at = FloorRuns.evaluate(run, w, lr.b());
      double error = Norms.relativeError(lr.loss(), at.loss());
      setError(run, BenchConfig.LOGISTIC, Op.FIT, error);
      setError(run, BenchConfig.LOGISTIC, Op.GRADIENT, error);
    }
  }

  private static void setError(ShapeRun run, String contender, Op op, double error) {
    for (int i = 0; i < run.records.size(); i++) {
      BenchRecord r = run.records.get(i);
      if (r.contender().equals(contender) && r.op() == op) {
        run.records.set(i, new BenchRecord(r.shape(), r.dtype(), r.contender(), r.op(),
            r.blasThreads(), r.timings(), r.gflops(), r.ratioToFloor(), error, r.cachedBytes(),
            r.rawBytes(), r.setupSeconds(), r.note()));
      }
    }
  }
}
