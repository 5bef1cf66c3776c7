package io.sparkgemm.spark.pass;

import org.apache.spark.TaskContext;

/**
 * Test hook: with the local property {@code spark.gemm.test.failPartitionOnce=P} set on the
 * driver thread ({@code SparkContext.setLocalProperty}), the first attempt of partition P's pass
 * task fails halfway through its blocks, so a test can check that the retried task gives the
 * same bits. Unset, it costs one property lookup per task.
 */
final class FaultInjection {
  static final String KEY = "spark.gemm.test.failPartitionOnce";

  private FaultInjection() {
  }

  /** The number of blocks to process before failing, or -1 for no failure. */
  static int blocksBeforeFailure(int partition, int blocks) {
    TaskContext task = TaskContext.get();
    if (task == null || task.attemptNumber() > 0) {
      return -1;
    }
    String value = task.getLocalProperty(KEY);
    if (value == null || value.isBlank() || Integer.parseInt(value.trim()) != partition) {
      return -1;
    }
    return blocks / 2;
  }

  static void fail(int partition) {
    throw new IllegalStateException("spark-gemm: injected failure of partition " + partition
        + " (" + KEY + "), first attempt");
  }
}
