package io.sparkgemm.spark.pass;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.cuda.CudaBackend;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.local.net.NetworkKernels;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.Chunks;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.reduce.GradientSum;
import io.sparkgemm.spark.reduce.OrderedTreeReduce;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Reduced;
import io.sparkgemm.spark.reduce.PartitionResult;
import io.sparkgemm.spark.reduce.Reduction;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * One fused pass over the cached blocks, one Spark job, for any network of linear layers (the
 * linear layer Y = XW + b is the one-layer network): θ travels inside the tasks when it is
 * small, else in one broadcast ({@link TaskParams}), unpacked in the pass's dtype
 * ({@link NetworkParams}); for every block the network forward, then G from the loss head
 * (or the supplied G, where Y is computed only to be kept), the loss, and the adjoints layer by
 * layer, every layer's dW and db summed into one float64 {@link NetworkGradient} per partition,
 * and dX = G_0 W_0ᵀ when asked. The partition sums are tree-reduced to the driver in a fixed order
 * ({@link OrderedTreeReduce}), so the same input and partitioning give the same bits. X is read
 * once per pass. A minibatch step ({@link RowSlice}) runs the same pass over a seeded slice of
 * every partition's cached rows.
 */
public final class LinearPass {

  private LinearPass() {
  }

  /**
   * A full pass of θ's network at θ over every cached row; the linear layer is
   * {@code Theta.linear(w, b)}, the network {@code Network.linear(d, k)}.
   *
   * @param theta the network and its parameters (not modified)
   */
  public static PassResult run(SparkSession spark, BlockedInput input, Theta theta,
      PassSpec spec) {
    return run(spark, input, theta, spec, null);
  }

  /**
   * A pass of θ's network over the rows of one minibatch step (all rows when {@code slice} is
   * null): the loss heads average over the step's rows, {@code slice.rows()}. A step keeps no
   * outputs.
   */
  public static PassResult run(SparkSession spark, BlockedInput input, Theta theta,
      PassSpec spec, RowSlice slice) {
    return run(spark, input, theta, spec, slice,
        TaskParams.ships(theta.network(), spec.dtype()));
  }

  /**
   * {@link #run(SparkSession, BlockedInput, Theta, PassSpec, RowSlice)} with θ shipped in the
   * tasks ({@code shipped}) or broadcast; both give the same bits.
   */
  static PassResult run(SparkSession spark, BlockedInput input, Theta theta, PassSpec spec,
      RowSlice slice, boolean shipped) {
    Network network = theta.network();
    check(input, network, spec, slice);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // A copy in the pass's dtype: the caller may change θ, and kept outputs may be recomputed.
    NetworkParams params = theta.unpack(spec.dtype());
    TaskParams travelling = TaskParams.of(jsc, params, shipped);
    boolean keepOutputs = spec.keepsOutputs();
    long rows = slice == null ? input.numRows() : slice.rows();
    PassResult.Shape shape = new PassResult.Shape(rows, network.inFeatures(),
        network.outFeatures());
    spark.sparkContext().setJobDescription(spec.describe());
    long start = System.nanoTime();
    boolean handedOver = false;
    try {
      Chunks chunks = input.chunks();
      Task task = new Task(spec, rows, chunks,
          spark.sparkContext().applicationId() + ":" + input.blocks().id(), slice,
          input.blockRows());
      int leaves = chunks.leaves(input.blocks().getNumPartitions());
      Reduction plan = spec.backward() ? Reduction.plan(spark, spec.shardThreshold(),
          spec.treeDepth(), leaves, network)
          : new Reduction(1, 1);
      JavaRDD<PartitionResult> partials = null;
      Reduced<GradientSum> reduced;
      if (!keepOutputs && plan.depth() == 1 && plan.shards() == 1) {
        // Nothing kept and the driver merges the leaves: one job, the same sums (GradientSum).
        reduced = GradientSum.collect(input.blocks(),
            (index, blocks) -> PartitionPass.run(task, index, blocks, travelling.params()));
      } else {
        partials = input.blocks().mapPartitionsWithIndex(
            (index, blocks) -> PartitionPass.run(task, index, blocks, travelling.params()),
            true);
        if (keepOutputs) {
          partials = partials.persist(StorageLevel.MEMORY_AND_DISK());
        }
        // Forward passes aggregate only the bookkeeping; their Y blocks stay cached for writing.
        reduced = GradientSum.reduce(partials, leaves, plan.depth(),
            OrderedTreeReduce.shardBounds(network.outFeatures(), plan.shards()),
            network.inFeatures());
      }
      GradientSum sum = reduced.sum();
      NetworkGradient gradients = !spec.backward() ? null
          : sum.gradient() != null ? sum.gradient() : new NetworkGradient(network);
      if (slice != null && gradients.numRows() != slice.rows()) {
        // The driver's unit counts set the heads' 1/n: a mismatch would scale the step silently.
        throw new IllegalStateException("Minibatch step " + slice.step() + " of epoch "
            + slice.epoch() + " took " + gradients.numRows() + " rows but the driver counted "
            + slice.rows() + " (the cached blocks changed since they were counted)");
      }
      if (spec.loss() == Loss.SUPPLIED) {
        int top = network.numLayers() - 1;
        gradients.layer(top).addLoss(suppliedLoss(params.weight(top), params.bias(top),
            gradients.layer(top)), 0);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      PassResult result = PassResult.builder(spec, shape)
          .network(network)
          .gradients(gradients)
          .keptOutputs(keepOutputs ? partials : null)
          .reduction(new PassResult.ReductionStats(spec.backward() ? plan.depth() : 0,
              plan.shards(), reduced.bytesToDriver()))
          .seconds(seconds, sum.seconds())
          .dxNorm(Math.sqrt(sum.dxSquares()))
          .backends(new ArrayList<>(sum.backends()))
          .broadcasts(travelling.broadcasts())
          .build();
      handedOver = true;
      if (!keepOutputs) {
        result.close();
      }
      return result;
    } finally {
      if (!handedOver) {
        travelling.close();
      }
    }
  }

  private static void check(BlockedInput input, Network network, PassSpec spec,
      RowSlice slice) {
    int d = input.numFeatures();
    int k = network.outFeatures();
    // The linear layer's refusals name W and Y = XW + b, as the forward and backward commands
    // have always said.
    if (network.inFeatures() != d) {
      throw new IllegalArgumentException(network.isLinear()
          ? "W is " + network.inFeatures() + "x" + k + " but X has " + d + " features (W must "
              + "be d x k with d = " + d + ")"
          : "The " + network.describe() + " network takes " + network.inFeatures()
              + " features but X has " + d);
    }
    if (spec.backward() && spec.loss().rowsOfK() && input.labelWidth() != k) {
      throw new IllegalArgumentException((spec.loss() == Loss.SUPPLIED
          ? "The upstream gradient G has " : "The targets have ") + input.labelWidth()
          + " columns but " + (network.isLinear() ? "Y = XW + b has k = " + k
              : "the " + network.describe() + " network's output Y has " + k));
    }
    // X blocks (rows x d, and so dX) were checked when they were made; Y and the hidden layers'
    // blocks are rows x d_l.
    int widest = 0;
    for (int l = 1; l <= network.numLayers(); l++) {
      widest = Math.max(widest, network.size(l));
    }
    long values = (long) input.blockRows() * widest;
    if (values > Integer.MAX_VALUE - 8) {
      throw new BadParameterException("Blocks of " + input.blockRows() + " rows make Y blocks of "
          + input.blockRows() + " x " + widest + " = " + values + " values, more than one Java "
          + "array holds; use ", param("blockRows"), " " + (Integer.MAX_VALUE - 8) / widest
          + " or fewer");
    }
    if (slice != null && (!spec.backward() || spec.keepsOutputs())) {
      throw new IllegalArgumentException("A minibatch step computes the gradient only: it needs "
          + "a loss and keeps no Y or dX");
    }
  }

  /**
   * The supplied head's loss, the surrogate Σ G∘Y with Y = A W + b the top layer's output (A = X
   * for one layer): ⟨AᵀG, W⟩ + ⟨1ᵀG, b⟩ = ⟨dW, W⟩ + ⟨db, b⟩, from the reduced sums, so the tasks
   * need not compute Y for it. W is the pass's (in its dtype) and b is rounded as the kernels
   * round it.
   */
  static double suppliedLoss(DenseBlock w, double[] b, GradientAccumulator g) {
    double[] dw = g.dw();
    double sum = 0.0;
    for (int i = 0; i < dw.length; i++) {
      sum += dw[i] * (w.dtype() == DType.FLOAT64 ? w.doubles()[i] : w.floats()[i]);
    }
    double[] db = g.db();
    for (int j = 0; j < db.length; j++) {
      sum += db[j] * (w.dtype() == DType.FLOAT64 ? b[j] : (float) b[j]);
    }
    return sum;
  }

  /**
   * What every task of a pass shares besides θ (broadcast).
   *
   * @param headRows n for the loss heads' 1/n: all rows, or the step's
   * @param chunks how blocks map to the reduction tree's leaves
   * @param blocksId the Spark application and blocks' RDD, naming device-cached blocks
   * @param slice the minibatch step, or null for every row
   * @param blockRows rows per gathered step block
   */
  record Task(PassSpec spec, long headRows, Chunks chunks, String blocksId, RowSlice slice,
      int blockRows) implements Serializable {
  }

  /** Whether the mse pass on the device applies: one layer, every row, cuda. */
  static boolean onDevice(Task task, Network network, NetworkKernels kernels) {
    return task.slice() == null && network.numLayers() == 1
        && DevicePass.applies(task.spec(), task.chunks().rows(), kernels.backend());
  }

  /** The device pass of a one-layer network's partition. */
  static PartitionResult onDevice(Task task, int partition, List<LabeledBlock> ordered,
      NetworkParams params, NetworkKernels kernels, String backend, long start) {
    return DevicePass.run((CudaBackend) kernels.backend(), partition, ordered, params.weight(0),
        params.bias(0), task.headRows(), task.blocksId(), backend, start);
  }

  /** The kernels on the task's backend. */
  static NetworkKernels kernels(Task task) {
    return new NetworkKernels(Backends.select(GpuResources.forTask(task.spec().backend())));
  }
}
