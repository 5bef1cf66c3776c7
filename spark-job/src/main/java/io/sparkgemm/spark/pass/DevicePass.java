package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.cuda.CudaBackend;
import io.sparkgemm.local.cuda.CudaTrainingPass;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.reduce.PartitionResult;
import java.io.Serializable;
import java.util.List;

/**
 * A partition's mse gradient pass on the GPU with {@code --backend cuda}: W and b go to the
 * device once, dW, db and the loss come back once, and each block's X and targets stay in the
 * device block cache (LRU, {@code --gpu-cache-mb}) between passes, so from the second pass of
 * {@code train} on, an iteration moves only W in and dW/db out while the blocks fit the budget.
 * Passes that write Y or dX, other loss heads, --deterministic chunks, networks of several
 * layers and minibatch steps use the per-block path.
 */
final class DevicePass {
  private DevicePass() {
  }

  /** A cached block's identity: the Spark application and blocks' RDD, its first row id. */
  record BlockKey(String blocks, long firstRowId, String part) implements Serializable {
  }

  static boolean applies(PassSpec spec, long chunkRows, Object backend) {
    return backend instanceof CudaBackend && spec.loss() == Loss.MSE && !spec.inputGradient()
        && !spec.keepsOutputs() && chunkRows == 0;
  }

  static PartitionResult run(CudaBackend cuda, int partition, List<LabeledBlock> blocks,
      DenseBlock w, double[] b, long globalRows, String blocksId, String backend, long start) {
    int maxRows = 0;
    for (LabeledBlock block : blocks) {
      maxRows = Math.max(maxRows, block.numRows());
    }
    NetworkGradient sums = new NetworkGradient(Network.linear(w.numRows(), w.numCols()));
    GradientAccumulator acc = sums.layer(0);
    long uploaded;
    try (CudaTrainingPass pass = new CudaTrainingPass(cuda, w, b, maxRows, globalRows)) {
      for (LabeledBlock block : blocks) {
        DenseBlock targets = block.targets();
        if (targets == null) {
          throw new IllegalArgumentException("Loss 'mse' needs targets; none were given");
        }
        if (w.dtype() == DType.FLOAT32) {
          targets = targets.toDType(DType.FLOAT32);
        }
        long first = block.x().rowId(0);
        pass.addBlock(block.x(), targets, new BlockKey(blocksId, first, "x"),
            new BlockKey(blocksId, first, "t"));
      }
      pass.finish(acc);
      uploaded = pass.bytesUploaded();
    }
    return new PartitionResult(partition, sums, List.of(), backend + "; mse pass on the device, "
        + (uploaded == 0 ? "every block resident" : "blocks uploaded or cached"),
        acc.numRows(), (System.nanoTime() - start) / 1e9, 0.0);
  }
}
