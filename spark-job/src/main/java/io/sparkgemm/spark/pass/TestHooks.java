package io.sparkgemm.spark.pass;

import org.apache.spark.TaskContext;
import org.slf4j.LoggerFactory;

/**
 * The pass's test hooks, read once per task; unset, they cost one property and one environment
 * lookup per task and nothing per block.
 *
 * <ul>
 *   <li>Fault injection: with the local property {@code spark.gemm.test.failPartitionOnce=P} set
 *       on the driver thread ({@code SparkContext.setLocalProperty}), the first attempt of
 *       partition P's pass task fails after its first block (before its second, or at its end
 *       when it has one), so a test can check that the retried task gives the same bits.
 *   <li>Debug delay: {@code SPARK_GEMM_DEBUG_BLOCK_DELAY_MS} in an executor's environment makes
 *       every block wait that long, so a test can kill an executor mid-pass.
 * </ul>
 */
final class TestHooks {
  static final String FAIL_PARTITION_ONCE = "spark.gemm.test.failPartitionOnce";
  static final String BLOCK_DELAY_ENV = "SPARK_GEMM_DEBUG_BLOCK_DELAY_MS";

  private static final TestHooks NONE = new TestHooks(-1, -1, 0);

  private final int partition;
  private final int failAfter;
  private final long delayMillis;

  private TestHooks(int partition, int failAfter, long delayMillis) {
    this.partition = partition;
    this.failAfter = failAfter;
    this.delayMillis = delayMillis;
  }

  /** The hooks of the running task. */
  static TestHooks forTask(int partition) {
    int failAfter = blocksBeforeFailure(TaskContext.get(), partition);
    long delay = delayMillis(System.getenv(BLOCK_DELAY_ENV));
    return failAfter < 0 && delay == 0 ? NONE : new TestHooks(partition, failAfter, delay);
  }

  /** Called before the pass processes its block number {@code done} (0-based). */
  void beforeBlock(int done) {
    if (done == failAfter) {
      fail();
    }
    if (delayMillis > 0) {
      pause(delayMillis);
    }
  }

  /** Called when the task's {@code done} blocks are all processed. */
  void afterBlocks(int done) {
    if (failAfter >= 0 && done <= failAfter) {
      fail();
    }
  }

  private void fail() {
    throw new IllegalStateException("spark-gemm: injected failure of partition " + partition
        + " (" + FAIL_PARTITION_ONCE + "), first attempt");
  }

  /** The number of blocks to process before failing, or -1 for no failure. */
  private static int blocksBeforeFailure(TaskContext task, int partition) {
    if (task == null || task.attemptNumber() > 0) {
      return -1;
    }
    String value = task.getLocalProperty(FAIL_PARTITION_ONCE);
    if (value == null || value.isBlank() || Integer.parseInt(value.trim()) != partition) {
      return -1;
    }
    return 1;
  }

  private static long delayMillis(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    long millis = Long.parseLong(value.trim());
    LoggerFactory.getLogger(LinearPass.class).info("spark-gemm debug delay: {} ms per block "
        + "({})", millis, BLOCK_DELAY_ENV);
    return millis;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
