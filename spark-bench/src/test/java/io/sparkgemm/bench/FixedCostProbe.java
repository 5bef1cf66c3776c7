package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Where a pass's fixed cost goes, over a tiny cached input: jobs, stages and tasks per pass,
 * and the time of an empty job and of a broadcast of W with its destruction, next to the whole
 * pass. A measuring program, not a test: {@code java -cp ... io.sparkgemm.bench.FixedCostProbe
 * [master] [partitions] [passes]}.
 */
public final class FixedCostProbe {
  private FixedCostProbe() {
  }

  public static void main(String[] args) {
    String master = args.length > 0 ? args[0] : "local[2]";
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int passes = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    Shape shape = args.length > 3 ? Shape.parseList(args[3]).get(0) : FixedCostRuns.TINY;
    SparkSession spark = SparkSession.builder().master(master).appName("FixedCostProbe")
        .config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Counts counts = new Counts();
    spark.sparkContext().addSparkListener(counts);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      for (int round = 0; round < 2; round++) {
        FixedCostRuns.Result r = FixedCostRuns.run(spark, shape, DType.FLOAT64,
            partitions, 20, passes);
        System.out.printf(Locale.ROOT, "pass %.2f ms, gemms %.2f ms, fixed %.2f ms%n",
            1e3 * r.passSeconds(), 1e3 * r.gemmSeconds(), 1e3 * r.fixedSeconds());
      }
      SeededData data = new SeededData(shape, DType.FLOAT64, 42);
      BlockedInput input = FixedCostRuns.cache(spark, data, partitions);
      DenseBlock w = WeightInit.create("xavier", shape.d(), shape.k(), 1);
      double[] b = new double[shape.k()];
      PassSpec spec = PassSpec.backward(Loss.SOFTMAX_CE).dtype(DType.FLOAT64)
          .backend(new BackendOptions("native", 1, null)).build();
      for (int round = 0; round < 2; round++) {
        counts.reset();
        double pass = median(passes, () -> {
          try (PassResult result = LinearPass.run(spark, input, Theta.linear(w, b), spec)) {
            return result.seconds();
          }
        });
        JobTimer.drain(spark.sparkContext());
        System.out.printf(Locale.ROOT, "pass (own clock) %.2f ms; per pass: %.2f jobs, %.2f "
            + "stages, %.2f tasks, task run %.2f ms, result bytes %.0f%n", 1e3 * pass,
            counts.jobs.get() / (double) passes, counts.stages.get() / (double) passes,
            counts.tasks.get() / (double) passes,
            counts.runMillis.get() / (double) passes, counts.resultBytes.get() / (double) passes);
        double wall = median(passes, () -> wall(() -> {
          try (PassResult result = LinearPass.run(spark, input, Theta.linear(w, b), spec)) {
            result.gradient().layer(0);
          }
        }));
        double empty = median(passes, () -> wall(() ->
            input.blocks().mapPartitions(it -> List.of(1).iterator()).collect()));
        double count = median(passes, () -> wall(() ->
            input.blocks().map(LabeledBlock::numRows).collect()));
        double cast = median(passes, () -> wall(() -> {
          Broadcast<DenseBlock> c = jsc.broadcast(w);
          c.destroy(true);
        }));
        double castAsync = median(passes, () -> wall(() -> {
          Broadcast<DenseBlock> c = jsc.broadcast(w);
          c.destroy(false);
        }));
        double castUsed = median(passes, () -> wall(() -> {
          Broadcast<DenseBlock> c = jsc.broadcast(w);
          input.blocks().mapPartitions(it -> List.of(c.value().numRows()).iterator())
              .collect();
          c.destroy(true);
        }));
        System.out.printf(Locale.ROOT, "wall pass incl. close %.2f ms; empty job %.2f ms; "
            + "map+collect %.2f ms; broadcast+destroy(true) %.2f ms; +destroy(false) %.2f ms; "
            + "empty job using a broadcast + destroy(true) %.2f ms%n", 1e3 * wall, 1e3 * empty,
            1e3 * count, 1e3 * cast, 1e3 * castAsync, 1e3 * castUsed);
      }
      input.release();
    } finally {
      spark.stop();
    }
  }

  private static double wall(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static double median(int n, DoubleSupplier s) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = s.getAsDouble();
    }
    return Timings.of(v).median();
  }

  private static final class Counts extends SparkListener {
    final AtomicInteger jobs = new AtomicInteger();
    final AtomicInteger stages = new AtomicInteger();
    final AtomicInteger tasks = new AtomicInteger();
    final AtomicLong runMillis = new AtomicLong();
    final AtomicLong resultBytes = new AtomicLong();

    void reset() {
      jobs.set(0);
      stages.set(0);
      tasks.set(0);
      runMillis.set(0);
      resultBytes.set(0);
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      jobs.incrementAndGet();
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted done) {
      stages.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      tasks.incrementAndGet();
      if (end.taskMetrics() != null) {
        runMillis.addAndGet(end.taskMetrics().executorRunTime());
        resultBytes.addAndGet(end.taskMetrics().resultSize());
      }
    }
  }
}
