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
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.pass.TaskParams;
import io.sparkgemm.spark.reduce.Mergeable;
import io.sparkgemm.spark.reduce.OrderedTreeReduce;
import io.sparkgemm.spark.reduce.TreeDepth;
import java.util.Iterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A trained network's loss, and for class labels its accuracy, over cached blocks: one Spark
 * job, θ inside its tasks or broadcast once ({@link TaskParams}), every block run forward
 * ({@link NetworkKernels#forward}) and through the loss head; the partitions' sums are reduced in
 * partition order ({@link OrderedTreeReduce}), so the same input and partitioning give the same
 * bits, whichever task finishes first.
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

  public static Result run(SparkSession spark, BlockedInput input, Theta theta, Loss loss,
      DType dtype, BackendOptions backend) {
    Network network = theta.network();
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
    long n = input.numRows();
    boolean classes = loss == Loss.SOFTMAX_CE;
    // closed (the broadcast destroyed and waited for) however the job ends
    try (TaskParams params = TaskParams.of(jsc, theta.unpack(dtype))) {
      spark.sparkContext().setJobDescription("spark-gemm evaluate " + network.describe());
      int depth = TreeDepth.forSmallSums(spark, input.blocks().getNumPartitions(), Sums.BYTES);
      Sums sums = OrderedTreeReduce.reducePartitions(input.blocks(),
          blocks -> partition(blocks, params.params(), loss, n, backend, classes), depth,
          Sums::new);
      return new Result(sums.rows, sums.loss, classes ? sums.correct : -1,
          (System.nanoTime() - start) / 1e9);
    }
  }

  /** The sums of some partitions: rows, loss shares (float64) and correct rows. */
  static final class Sums implements Mergeable<Sums> {
    private static final long serialVersionUID = 1L;
    static final long BYTES = 24;

    private long rows;
    private double loss;
    private long correct;

    @Override
    public Sums merge(Sums other) {
      rows += other.rows;
      loss += other.loss;
      correct += other.correct;
      return this;
    }

    @Override
    public long sizeBytes() {
      return BYTES;
    }
  }

  /**
   * The sums of one partition, its blocks streamed in the order they come (fixed by how they
   * were made).
   */
  private static Sums partition(Iterator<LabeledBlock> blocks, NetworkParams params,
      Loss loss, long globalRows, BackendOptions backend, boolean classes) {
    NetworkKernels kernels = new NetworkKernels(Backends.select(backend));
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    LossHead head = LossHeads.of(loss, globalRows);
    int k = params.network().outFeatures();
    Sums out = new Sums();
    while (blocks.hasNext()) {
      LabeledBlock block = blocks.next();
      DenseBlock x = block.x();
      DenseBlock y = DenseBlock.zeros(params.dtype(), x.numRows(), k);
      kernels.forward(params, x, work, y);
      DenseBlock g = DenseBlock.zeros(params.dtype(), x.numRows(), k);
      out.rows += y.numRows();
      out.loss += head.lossAndGradient(y, block.labels(), g);
      if (classes) {
        out.correct += correct(y, block.classes());
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
