package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.spark.output.OutputBlock;
import io.sparkgemm.spark.reduce.PartitionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;

/**
 * The outcome of one pass.
 *
 * @param gradients dW, db, loss and row count summed over the batch (null for forward)
 * @param partials the cached partition results holding Y / dX blocks, or null when none were
 *     kept; {@link #release()} frees them
 * @param seconds wall time of the pass on the driver
 * @param computeSeconds summed task time spent in the kernels
 * @param dxNorm ||dX|| (Frobenius) when dX was computed and kept for writing, else 0
 * @param backends the backend lines reported by the executors
 * @param bytesToDriver gradient bytes the last reduction level sends to the driver
 * @param gradientShards column shards dW was reduced in (1: unsharded)
 * @param broadcasts W and b, destroyed by {@link #release()}
 * @param released set once {@link #release()} ran (it may be called more than once)
 */
public record PassResult(GradientAccumulator gradients, JavaRDD<PartitionResult> partials,
    long numRows, int inFeatures, int outFeatures, int treeDepth, double seconds,
    double computeSeconds, double dxNorm, List<String> backends, long bytesToDriver, int gradientShards, PassSpec spec,
    List<Broadcast<?>> broadcasts, AtomicBoolean released) {

  /** Floating-point operations of the pass's GEMMs: 2ndk each for Y, dW and dX. */
  public double flops() {
    double one = 2.0 * numRows * inFeatures * outFeatures;
    int gemms = 1 + (spec.backward() ? 1 : 0) + (spec.inputGradient() ? 1 : 0);
    return gemms * one;
  }

  public double gflopsPerSecond() {
    return seconds > 0 ? flops() / seconds / 1e9 : 0.0;
  }

  /**
   * The kept row-shaped output blocks named {@code name} ("Y" or "dX"), read from
   * {@code partials} on the executors.
   */
  public JavaRDD<DenseBlock> outputBlocks(String name) {
    if (partials == null) {
      throw new IllegalStateException("The pass kept no outputs (keepOutput or inputGradient, "
          + "without discardOutputs)");
    }
    return partials.flatMap(r -> {
      List<DenseBlock> mine = new ArrayList<>();
      for (OutputBlock o : r.outputs()) {
        if (o.name().equals(name)) {
          mine.add(o.values());
        }
      }
      return mine.iterator();
    });
  }

  /**
   * Frees the cached outputs and destroys the pass's broadcasts of W and b. The outputs' lineage
   * refers to the broadcasts, so they live until the outputs are written.
   */
  public void release() {
    if (released.getAndSet(true)) {
      return;
    }
    if (partials != null) {
      partials.unpersist(false);
    }
    for (Broadcast<?> b : broadcasts) {
      destroy(b);
    }
  }

  /**
   * Destroys a broadcast and waits until its blocks are gone from the driver and the executors.
   * Spark's {@code destroy()} only sends the removal; the broadcast may then be
   * garbage-collected and its ContextCleaner removal run while the first one is still under
   * way, and two removals of one block fail ("Error cleaning broadcast N: Block
   * broadcast_N_piece0 does not exist"). Once this returns, the cleaner finds nothing to remove.
   * {@code destroy(boolean)} is Spark's own (package-private in Scala, public to Java).
   */
  static void destroy(Broadcast<?> b) {
    b.destroy(true);
  }
}
