package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Where a forward pass's time goes beyond the floor's: the floor and spark-gemm's forward pass
 * alternately on the same seeded blocks, each pass's wall time next to its job's and its tasks'
 * timeline (milliseconds from the pass's start: launch..finish, run, CPU and deserialization).
 * A measuring program, not a test:
 * {@code java -cp ... io.sparkgemm.bench.ForwardProbe [NxDxK] [passes] [partitions]
 * [forward|backward]} (backward: dW and db from a supplied G).
 */
public final class ForwardProbe {
  private ForwardProbe() {
  }

  public static void main(String[] args) {
    Shape shape = Shape.parseList(args.length > 0 ? args[0] : "200000x256x128").get(0);
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    boolean backward = args.length > 3 && args[3].equals("backward");
    try (Sessions.Handle session = Sessions.open("local[2]", "ForwardProbe")) {
      SparkSession spark = session.spark();
      ConcurrentLinkedQueue<SparkListenerTaskEnd> tasks = new ConcurrentLinkedQueue<>();
      long[] jobTimes = new long[2];
      spark.sparkContext().addSparkListener(new SparkListener() {
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
          tasks.add(end);
        }

        @Override
        public void onJobStart(SparkListenerJobStart start) {
          jobTimes[0] = start.time();
        }

        @Override
        public void onJobEnd(SparkListenerJobEnd end) {
          jobTimes[1] = end.time();
        }
      });
      SeededData data = new SeededData(shape, DType.FLOAT64, 42);
      int blockRows = InputSpec.defaultBlockRows(shape.d(), DType.FLOAT64);
      List<Floor.Block> floorBlocks = new ArrayList<>();
      for (long from = 0; from < shape.n(); from += blockRows) {
        long to = Math.min(shape.n(), from + blockRows);
        floorBlocks.add(new Floor.Block(data.xBlock(from, to),
            backward ? data.gBlock(from, to) : null, null));
      }
      BlockedInput input = BenchInputs.cache(spark, data.recipe(false, backward), shape.n(),
          shape.d(), blockRows, partitions);
      DenseBlock w = WeightInit.create("xavier", shape.d(), shape.k(), 1);
      double[] b = new double[shape.k()];
      PassSpec spec = (backward ? PassSpec.backward(Loss.SUPPLIED)
          : PassSpec.forward().keepOutput(false)).dtype(DType.FLOAT64)
          .backend(new BackendOptions("native", 1, null)).discardOutputs(true).build();
      Floor.Setup setup = new Floor.Setup(backward ? Op.BACKWARD : Op.FORWARD, null, 2, 1);
      for (int p = 0; p < passes; p++) {
        long t0 = System.nanoTime();
        Floor.run(floorBlocks, w, b, setup, false);
        long t1 = System.nanoTime();
        tasks.clear();
        double own;
        try (PassResult pass = LinearPass.run(spark, input, Theta.linear(w, b), spec)) {
          own = pass.seconds();
        }
        long t2 = System.nanoTime();
        JobTimer.drain(spark.sparkContext());
        StringBuilder line = new StringBuilder();
        long epoch = t1 / 1_000_000L;
        long wallStart = System.currentTimeMillis() - (System.nanoTime() / 1_000_000L - epoch);
        line.append(String.format(Locale.ROOT, " job %d..%d", jobTimes[0] - wallStart,
            jobTimes[1] - wallStart));
        for (SparkListenerTaskEnd e : tasks) {
          TaskMetrics m = e.taskMetrics();
          line.append(String.format(Locale.ROOT, " [%d..%d run %d cpu %.0f deser %d]",
              e.taskInfo().launchTime() - wallStart, e.taskInfo().finishTime() - wallStart,
              m.executorRunTime(), m.executorCpuTime() / 1e6,
              m.executorDeserializeTime()));
        }
        System.out.printf(Locale.ROOT, "floor %.1f ms  spark %.1f ms (own %.1f)%s%n",
            (t1 - t0) / 1e6, (t2 - t1) / 1e6, own * 1e3, line);
      }
      input.release();
    }
  }
}
