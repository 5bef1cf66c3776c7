package io.sparkgemm.spark.pass;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * The pass tests' session: local[2,2], so a failed task is retried once, as on a cluster, with
 * a listener counting failed tasks; {@link #retried} runs something while the pass fails
 * partition 1 once and checks that the failure happened.
 */
final class RetryingSpark {
  private static final AtomicInteger FAILED_TASKS = new AtomicInteger();

  private RetryingSpark() {
  }

  static SparkSession start(String appName) {
    SparkSession spark = SparkSession.builder().master("local[2,2]").appName(appName)
        .config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
          FAILED_TASKS.incrementAndGet();
        }
      }
    });
    return spark;
  }

  /** {@code run}'s result with partition 1's first task failed (and retried). */
  static <T> T retried(SparkSession spark, Callable<T> run) throws Exception {
    int failuresBefore = FAILED_TASKS.get();
    spark.sparkContext().setLocalProperty(TestHooks.FAIL_PARTITION_ONCE, "1");
    T result;
    try {
      result = run.call();
    } finally {
      spark.sparkContext().setLocalProperty(TestHooks.FAIL_PARTITION_ONCE, null);
    }
    for (int wait = 0; wait < 100 && FAILED_TASKS.get() == failuresBefore; wait++) {
      Thread.sleep(100);
    }
    assertThat(FAILED_TASKS.get()).as("the injected failure happened")
        .isGreaterThan(failuresBefore);
    return result;
  }
}
