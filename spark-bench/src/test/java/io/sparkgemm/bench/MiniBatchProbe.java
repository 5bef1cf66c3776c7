package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkInit;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.MinibatchStep;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Minibatch throughput against the full-batch pass: rows per second of {@code evaluate} (one pass
 * over all n rows) and of {@code evaluateBatch} over whole epochs (⌈n / batchRows⌉ passes, each
 * over a gathered slice of every partition), on seeded data, for a network and for the linear
 * model, alternating the two in one run. Next to the wall times, the tasks' CPU time (Spark's
 * executorCpuTime) per epoch of each kind: on a shared machine the wall ratio moves with the
 * load, the CPU ratio much less. The session has the CLI's settings ({@link Sessions}). A
 * measuring program, not a test:
 * {@code java -cp ... io.sparkgemm.bench.MiniBatchProbe [master] [partitions] [n] [batchRows]
 * [reps] [hidden]}.
 */
public final class MiniBatchProbe {
  /** Task CPU nanoseconds since the last {@link #take}. */
  private static final AtomicLong CPU = new AtomicLong();

  private MiniBatchProbe() {
  }

  private static long take() {
    return CPU.getAndSet(0);
  }

  public static void main(String[] args) {
    String master = args.length > 0 ? args[0] : "local[2]";
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    long n = args.length > 2 ? Long.parseLong(args[2]) : 60_000;
    int batchRows = args.length > 3 ? Integer.parseInt(args[3]) : 8192;
    int reps = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    int hidden = args.length > 5 ? Integer.parseInt(args[5]) : 256;
    Shape shape = new Shape(n, 784, 10);
    SparkSession.Builder builder = SparkSession.builder().master(master)
        .appName("MiniBatchProbe").config("spark.ui.enabled", "false");
    // the settings the CLI's sessions get (Sessions.open)
    Sessions.blockSizedElements(builder);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          CPU.addAndGet(end.taskMetrics().executorCpuTime());
        }
      }
    });
    try {
      SeededData data = new SeededData(shape, DType.FLOAT64, 42);
      int blockRows = InputSpec.defaultBlockRows(shape.d(), DType.FLOAT64);
      BlockedInput input = FixedCostRuns.cache(spark, data, blockRows, partitions);
      TrainSpec spec = TrainSpec.builder(Loss.SOFTMAX_CE)
          .backend(new BackendOptions("native", 1, null)).build();
      System.out.printf(Locale.ROOT, "%d x %d, %d partitions, blocks of %d rows, batchRows %d%n",
          n, shape.d(), partitions, blockRows, batchRows);
      for (Network network : new Network[] {
          Network.of(shape.d(), new int[] {hidden}, Activation.RELU, shape.k()),
          Network.linear(shape.d(), shape.k())}) {
        measure(spark, input, network, spec, batchRows, reps);
      }
      input.release();
    } finally {
      spark.stop();
    }
  }

  private static void measure(SparkSession spark, BlockedInput input, Network network,
      TrainSpec spec, int batchRows, int reps) {
    Objective objective = new Objective(spark, input, network, spec);
    double[] theta = NetworkInit.create(network, "auto", 1);
    int steps = objective.stepsPerEpoch(batchRows);
    long n = input.numRows();
    // Warm-up: the JIT, the pooled buffers, Spark's per-job code.
    for (int i = 0; i < 3; i++) {
      objective.evaluate(theta, 0);
    }
    epoch(objective, theta, batchRows, steps, 0);
    double[] full = new double[reps];
    double[] epochs = new double[reps];
    double[] fullCpu = new double[reps];
    double[] epochCpu = new double[reps];
    for (int r = 0; r < reps; r++) {
      pause();
      take();
      long start = System.nanoTime();
      objective.evaluate(theta, r);
      full[r] = (System.nanoTime() - start) / 1e9;
      pause();
      fullCpu[r] = take() / 1e9;
      epochs[r] = epoch(objective, theta, batchRows, steps, r + 1);
      pause();
      epochCpu[r] = take() / 1e9;
    }
    double fullSeconds = Timings.of(full).median();
    double epochSeconds = Timings.of(epochs).median();
    // A step's fixed cost: steps of 64 rows (32 per partition), whose GEMMs cost next to nothing.
    int tinySteps = objective.stepsPerEpoch(64);
    double[] tiny = new double[20];
    for (int s = 0; s < tiny.length; s++) {
      long start = System.nanoTime();
      objective.evaluateBatch(theta, new MinibatchStep(7, 0, s % tinySteps, 64), s);
      tiny[s] = (System.nanoTime() - start) / 1e9;
    }
    System.out.printf(Locale.ROOT, "%-16s a step of 64 rows: %.1f ms (median of %d)%n",
        network.describe(), 1e3 * Timings.of(tiny).median(), tiny.length);
    System.out.printf(Locale.ROOT, "%-16s full batch %.3f s/pass = %,.0f rows/s; minibatch "
        + "%d steps/epoch %.3f s/epoch (%.1f ms/step) = %,.0f rows/s; ratio %.2f%n",
        network.describe(), fullSeconds, n / fullSeconds, steps, epochSeconds,
        1e3 * epochSeconds / steps, n / epochSeconds, fullSeconds / epochSeconds);
    double fullCpuSeconds = Timings.of(fullCpu).median();
    double epochCpuSeconds = Timings.of(epochCpu).median();
    System.out.printf(Locale.ROOT, "%-16s task CPU: full batch %.3f s/pass, minibatch %.3f "
        + "s/epoch; ratio %.2f%n", network.describe(), fullCpuSeconds, epochCpuSeconds,
        fullCpuSeconds / epochCpuSeconds);
  }

  /** Lets the listener bus deliver the last task ends. */
  private static void pause() {
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double epoch(Objective objective, double[] theta, int batchRows, int steps,
      int epoch) {
    long start = System.nanoTime();
    for (int s = 0; s < steps; s++) {
      objective.evaluateBatch(theta, new MinibatchStep(7, epoch, s, batchRows), s);
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
