package io.sparkgemm.spark.job;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkKernels;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A trained network's loss, and for class labels its accuracy, over cached blocks: one Spark
 * job, θ broadcast once, every block run forward ({@link NetworkKernels#forward}) and through
 * the loss head; the partitions' sums are added on the driver in partition order, so the same
 * input and partitioning give the same bits.
 */
public final class NetworkEvaluation {
  private NetworkEvaluation() {
  }

  /**
   * @param loss the head's mean over the rows (mse or softmax-ce)
   * @param correct rows whose largest output is their class (softmax-ce), else -1
   */
  public record Result(long rows, double loss, long correct, double seconds) {
    /** The fraction of rows classified correctly, or NaN without class labels. */
    public double accuracy() {
      return correct < 0 ? Double.NaN : (double) correct / rows;
    }
  }

  public static Result run(SparkSession spark, BlockedInput input, Network network,
      double[] theta, Loss loss, DType dtype, BackendOptions backend) {
    if (network.inFeatures() != input.numFeatures()) {
      throw new IllegalArgumentException("The model " + network.describe() + " takes "
          + network.inFeatures() + " features but X has " + input.numFeatures());
    }
    if (loss == Loss.MSE && input.labelWidth() != network.outFeatures()) {
      throw new IllegalArgumentException("The targets have " + input.labelWidth() + " columns "
          + "but the model " + network.describe() + " has " + network.outFeatures() + " outputs");
    }
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<NetworkParams> params = jsc.broadcast(NetworkParams.unpack(network, theta, dtype));
    long n = input.numRows();
    boolean classes = loss == Loss.SOFTMAX_CE;
    try {
      spark.sparkContext().setJobDescription("spark-gemm evaluate " + network.describe());
      List<double[]> parts = input.blocks().mapPartitions(blocks -> List.of(
          partition(blocks, params.value(), loss, n, backend, classes)).iterator()).collect();
      double sum = 0;
      long rows = 0;
      long correct = 0;
      for (double[] p : parts) {
        rows += (long) p[0];
        sum += p[1];
        correct += (long) p[2];
      }
      return new Result(rows, sum, classes ? correct : -1, (System.nanoTime() - start) / 1e9);
    } finally {
      params.destroy();
    }
  }

  /**
   * {rows, loss share, correct} of one partition, its blocks streamed in the order they come
   * (fixed by how they were made).
   */
  private static double[] partition(Iterator<LabeledBlock> blocks, NetworkParams params,
      Loss loss, long globalRows, BackendOptions backend, boolean classes) {
    NetworkKernels kernels = new NetworkKernels(Backends.select(backend));
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    LossHead head = LossHeads.of(loss, globalRows);
    int k = params.network().outFeatures();
    double[] out = new double[3];
    while (blocks.hasNext()) {
      LabeledBlock block = blocks.next();
      DenseBlock x = block.x();
      DenseBlock y = DenseBlock.zeros(params.dtype(), x.numRows(), k);
      kernels.forward(params, x, work, y);
      DenseBlock g = DenseBlock.zeros(params.dtype(), x.numRows(), k);
      out[0] += y.numRows();
      out[1] += head.lossAndGradient(y, block.labels(), g);
      if (classes) {
        out[2] += correct(y, block.classes());
      }
    }
    return out;
  }

  /** Rows whose largest output (the first, on ties) is their class. */
  static long correct(DenseBlock y, int[] classes) {
    long correct = 0;
    int k = y.numCols();
    for (int r = 0; r < y.numRows(); r++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (y.get(r, j) > y.get(r, best)) {
          best = j;
        }
      }
      correct += best == classes[r] ? 1 : 0;
    }
    return correct;
  }
}
