package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.cuda.CudaBackend;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.Chunks;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.output.OutputBlock;
import io.sparkgemm.spark.reduce.GradientSum;
import io.sparkgemm.spark.reduce.OrderedTreeReduce;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Reduced;
import io.sparkgemm.spark.reduce.PartitionResult;
import io.sparkgemm.spark.reduce.Reduction;
import java.io.Serializable;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * One fused pass over the cached blocks, one Spark job: W broadcast once in the pass's dtype (b,
 * k values, travels with the tasks); for every block Y = XW + b, then G from the loss head (or
 * the supplied G, where Y is computed only to be kept), the loss, dW += XᵀG and db += 1ᵀG into
 * one float64 accumulator per partition, and dX = GWᵀ when asked. The partition sums are
 * tree-reduced to the driver in a fixed order ({@link OrderedTreeReduce}), so the same input and
 * partitioning give the same bits. X is read once per pass.
 */
public final class LinearPass {

  private LinearPass() {
  }

  /**
   * @param w d x k (any dtype; converted once to the pass's dtype before broadcast)
   * @param b length k
   */
  public static PassResult run(SparkSession spark, BlockedInput input, DenseBlock w, double[] b,
      PassSpec spec) {
    if (w.numRows() != input.numFeatures()) {
      throw new IllegalArgumentException("W is " + w.shape() + " but X has "
          + input.numFeatures() + " features (W must be d x k with d = " + input.numFeatures()
          + ")");
    }
    if (b.length != w.numCols()) {
      throw new IllegalArgumentException("b has " + b.length + " values but W is " + w.shape()
          + " (b must have k = " + w.numCols() + ")");
    }
    boolean rowsOfK = spec.loss() != null && spec.loss().rowsOfK();
    if (rowsOfK && input.labelWidth() != w.numCols()) {
      throw new IllegalArgumentException((spec.loss() == Loss.SUPPLIED
          ? "The upstream gradient G has " : "The targets have ") + input.labelWidth()
          + " columns but Y = XW + b has k = " + w.numCols());
    }
    // X blocks (rows x d, and so dX) were checked when they were made; Y is rows x k.
    long yValues = (long) input.blockRows() * w.numCols();
    if (yValues > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Blocks of " + input.blockRows() + " rows make Y blocks "
          + "of " + input.blockRows() + " x " + w.numCols() + " = " + yValues + " values, more "
          + "than one Java array holds; use blockRows " + (Integer.MAX_VALUE - 8)
          / w.numCols() + " or fewer");
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // A copy: the caller may change w, and kept outputs may be recomputed from the broadcast.
    DenseBlock wPass = w.toDType(spec.dtype());
    Broadcast<DenseBlock> wCast = jsc.broadcast(wPass);
    boolean keepOutputs = spec.keepsOutputs();
    PassResult.Shape shape = new PassResult.Shape(input.numRows(), w.numRows(), w.numCols());
    int d = shape.inFeatures();
    int k = shape.outFeatures();
    spark.sparkContext().setJobDescription(spec.describe());
    long start = System.nanoTime();
    boolean handedOver = false;
    try {
      Chunks chunks = input.chunks();
      Task task = new Task(spec, shape.numRows(), chunks,
          spark.sparkContext().applicationId() + ":" + input.blocks().id(), b.clone());
      int leaves = chunks.leaves(input.blocks().getNumPartitions());
      Reduction plan = spec.backward() ? Reduction.plan(spark, spec.shardThreshold(),
          spec.treeDepth(), leaves, d, k)
          : new Reduction(1, 1);
      JavaRDD<PartitionResult> partials = null;
      Reduced<GradientSum> reduced;
      if (!keepOutputs && plan.depth() == 1 && plan.shards() == 1) {
        // Nothing kept and the driver merges the leaves: one job, the same sums (GradientSum).
        reduced = GradientSum.collect(input.blocks(),
            (index, blocks) -> runPartition(task, index, blocks, wCast.value()));
      } else {
        partials = input.blocks().mapPartitionsWithIndex(
            (index, blocks) -> runPartition(task, index, blocks, wCast.value()), true);
        if (keepOutputs) {
          partials = partials.persist(StorageLevel.MEMORY_AND_DISK());
        }
        // Forward passes aggregate only the bookkeeping; their Y blocks stay cached for writing.
        reduced = GradientSum.reduce(partials, leaves, plan.depth(),
            OrderedTreeReduce.shardBounds(k, plan.shards()), d);
      }
      GradientSum sum = reduced.sum();
      GradientAccumulator gradients = !spec.backward() ? null
          : sum.value() != null ? sum.value() : new GradientAccumulator(d, k);
      if (spec.loss() == Loss.SUPPLIED) {
        gradients.addLoss(suppliedLoss(wPass, b, gradients), 0);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      PassResult result = PassResult.builder(spec, shape)
          .gradients(gradients)
          .keptOutputs(keepOutputs ? partials : null)
          .reduction(new PassResult.ReductionStats(spec.backward() ? plan.depth() : 0,
              plan.shards(), reduced.bytesToDriver()))
          .seconds(seconds, sum.seconds())
          .dxNorm(Math.sqrt(sum.dxSquares()))
          .backends(new ArrayList<>(sum.backends()))
          .broadcasts(List.of(wCast))
          .build();
      handedOver = true;
      if (!keepOutputs) {
        result.close();
      }
      return result;
    } finally {
      if (!handedOver) {
        PassResult.destroy(wCast);
      }
    }
  }

  /**
   * The supplied head's loss, the surrogate Σ G∘Y with Y = XW + b: ⟨XᵀG, W⟩ + ⟨1ᵀG, b⟩ =
   * ⟨dW, W⟩ + ⟨db, b⟩, from the reduced sums, so the tasks need not compute Y for it. W is the
   * pass's (in its dtype) and b is rounded as the kernels round it.
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
   * What every task of a pass shares besides W (broadcast): b travels with the task, k values.
   *
   * @param globalRows n, for the loss heads' 1/n
   * @param chunks how blocks map to the reduction tree's leaves
   * @param blocksId the Spark application and blocks' RDD, naming device-cached blocks
   * @param b the bias, length k
   */
  private record Task(PassSpec spec, long globalRows, Chunks chunks, String blocksId, double[] b)
      implements Serializable {
  }

  /**
   * One partition's share: a result per leaf of the reduction tree. A leaf is the partition, or
   * with --deterministic each chunk of row ids, so a chunk's blocks are always summed together
   * and in the same order, whichever partition holds them.
   */
  private static Iterator<PartitionResult> runPartition(Task task, int partition,
      Iterator<LabeledBlock> blocks, DenseBlock w) {
    long start = System.nanoTime();
    double[] b = task.b();
    List<LabeledBlock> ordered = inRowIdOrder(blocks);
    if (ordered.isEmpty()) {
      return emptyPartition(task, partition).iterator();
    }
    TestHooks hooks = TestHooks.forTask(partition, ordered.size());
    LinearKernels kernels = new LinearKernels(
        Backends.select(GpuResources.forTask(task.spec().backend())));
    String backend = kernels.backend().info().describe();
    if (DevicePass.applies(task.spec(), task.chunks().rows(), kernels.backend())) {
      return List.of(DevicePass.run((CudaBackend) kernels.backend(), partition, ordered, w, b,
          task.globalRows(), task.blocksId(), backend, start)).iterator();
    }
    List<PartitionResult> results = onCpu(task, partition, ordered, kernels, w, b, hooks);
    return spreadSeconds(results, backend, (System.nanoTime() - start) / 1e9).iterator();
  }

  /**
   * The partition's blocks in row-id order: after a shuffle (repartition) or a recomputation the
   * cache may hand them over in another order, and the float64 sums must not depend on it.
   */
  private static List<LabeledBlock> inRowIdOrder(Iterator<LabeledBlock> blocks) {
    List<LabeledBlock> ordered = new ArrayList<>();
    blocks.forEachRemaining(ordered::add);
    ordered.sort(Comparator.comparingLong(block -> block.x().rowId(0)));
    return ordered;
  }

  /** An empty partition's share: nothing with --deterministic, else an empty leaf. */
  private static List<PartitionResult> emptyPartition(Task task, int partition) {
    return task.chunks().enabled() ? List.of()
        : List.of(new PartitionResult(partition, null, List.of(), null, 0, 0.0, 0.0));
  }

  /**
   * The per-block path: every block's kernels, summed into its leaf, in row-id order. With a
   * supplied G, Y is computed only when it is kept: dW, db and dX need only X, G and W.
   */
  private static List<PartitionResult> onCpu(Task task, int partition, List<LabeledBlock> ordered,
      LinearKernels kernels, DenseBlock w, double[] b, TestHooks hooks) {
    PassSpec spec = task.spec();
    LossHead head = spec.backward() ? LossHeads.of(spec.loss(), task.globalRows()) : null;
    boolean keep = spec.keepsOutputs();
    boolean keepY = keep && spec.keepOutput();
    boolean supplied = spec.loss() == Loss.SUPPLIED;
    Buffers buffers = keep ? new Buffers(spec.dtype(), w.numRows(), w.numCols(), true)
        : Buffers.take(spec.dtype(), w.numRows(), w.numCols());
    List<PartitionResult> results = new ArrayList<>();
    Leaf leaf = null;
    int done = 0;
    for (LabeledBlock block : ordered) {
      hooks.beforeBlock(done++);
      DenseBlock x = block.x();
      int index = task.chunks().leafOf(x.rowId(0), partition);
      if (leaf == null || leaf.index != index) {
        if (leaf != null) {
          results.add(leaf.finish());
        }
        leaf = new Leaf(index, spec.backward() ? w.numRows() : 0, w.numCols());
      }
      // x: rows x d   w: d x k   y: rows x k
      DenseBlock y = supplied && !keepY ? null : buffers.y(x);
      DenseBlock dx = head != null && spec.inputGradient() ? buffers.dx(x) : null;
      if (head == null) {
        kernels.forward(x, w, b, y);
      } else if (supplied) {
        if (y != null) {
          kernels.forward(x, w, b, y);
        }
        // dw += xᵀ g, db += 1ᵀ g and dx = g wᵀ with the supplied g, in the same panels
        kernels.backwardFromGradient(x, w, upstream(block, x), dx, leaf.acc);
      } else {
        // y = x w + b, g = dL/dy, dw += xᵀ g, db += 1ᵀ g and dx = g wᵀ, in cache-sized panels
        kernels.backward(x, w, b, head, block.labels(), y, buffers.g(x), dx, leaf.acc);
      }
      leaf.rows += x.numRows();
      if (keepY) {
        leaf.outputs.add(new OutputBlock("Y", y));
      }
      if (keep && dx != null) {
        // ||dX|| for the report.
        leaf.dxSquares += squares(dx);
        leaf.outputs.add(new OutputBlock("dX", dx));
      }
    }
    results.add(leaf.finish());
    if (!keep) {
      buffers.giveBack();
    }
    return results;
  }

  /** A block's supplied G in the block's dtype. */
  private static DenseBlock upstream(LabeledBlock block, DenseBlock x) {
    DenseBlock g = block.upstream();
    if (g == null) {
      throw new IllegalArgumentException("No upstream gradient was supplied");
    }
    return g.dtype() == x.dtype() ? g : g.toDType(x.dtype());
  }

  /** The leaves' results with the backend and the task's time spread evenly over them. */
  private static List<PartitionResult> spreadSeconds(List<PartitionResult> results,
      String backend, double seconds) {
    // Task time is spread over the leaves only for the report's total.
    List<PartitionResult> timed = new ArrayList<>(results.size());
    for (PartitionResult r : results) {
      timed.add(new PartitionResult(r.leaf(), r.gradients(), r.outputs(), backend, r.rows(),
          seconds / results.size(), r.dxSquares()));
    }
    return timed;
  }

  /** The sums of one leaf of the reduction tree while its blocks are processed. */
  private static final class Leaf {
    final int index;
    final GradientAccumulator acc;
    final List<OutputBlock> outputs = new ArrayList<>();
    long rows;
    double dxSquares;

    /** @param inFeatures d, or 0 for a forward pass (no gradients) */
    Leaf(int index, int inFeatures, int outFeatures) {
      this.index = index;
      this.acc = inFeatures > 0 ? new GradientAccumulator(inFeatures, outFeatures) : null;
    }

    PartitionResult finish() {
      return new PartitionResult(index, acc, outputs, null, rows, 0.0, dxSquares);
    }
  }

  /**
   * Per-block result arrays (y, g, dx), carrying the block's row ids. Results that are kept for
   * writing get fresh arrays; otherwise full-size blocks reuse one set per task, and a task
   * hands its set on to the executor's next task of the same shape ({@link #take}), so passes
   * after the first allocate no block-sized arrays (arrays of a few MB are humongous objects to
   * G1, and allocating them every pass started concurrent marking cycles that cost as much CPU
   * as a forward pass's GEMMs).
   */
  private static final class Buffers {
    /** Sets handed back by finished tasks of this executor, held softly (freed under pressure). */
    private static final Deque<SoftReference<Buffers>> POOL = new ConcurrentLinkedDeque<>();
    private static final int POOL_SIZE = 8;

    private final DType dtype;
    private final int d;
    private final int k;
    private final boolean fresh;
    private DenseBlock y;
    private DenseBlock g;
    private DenseBlock dx;

    Buffers(DType dtype, int d, int k, boolean fresh) {
      this.dtype = dtype;
      this.d = d;
      this.k = k;
      this.fresh = fresh;
    }

    /** A pooled set for d x k in {@code dtype} when there is one, else a new one. */
    static Buffers take(DType dtype, int d, int k) {
      SoftReference<Buffers> ref;
      while ((ref = POOL.pollFirst()) != null) {
        Buffers set = ref.get();
        if (set != null && set.dtype == dtype && set.d == d && set.k == k) {
          return set;
        }
      }
      return new Buffers(dtype, d, k, false);
    }

    /** Hands this set on to a later task; the caller no longer uses it. */
    void giveBack() {
      if (POOL.size() < POOL_SIZE) {
        POOL.addFirst(new SoftReference<>(this));
      }
    }

    DenseBlock y(DenseBlock x) {
      DenseBlock block = reuse(y, x, k);
      y = kept(y, block);
      return block.withRowIds(x.rowIds());
    }

    DenseBlock g(DenseBlock x) {
      DenseBlock block = reuse(g, x, k);
      g = kept(g, block);
      return block.withRowIds(x.rowIds());
    }

    DenseBlock dx(DenseBlock x) {
      DenseBlock block = reuse(dx, x, d);
      dx = kept(dx, block);
      return block.withRowIds(x.rowIds());
    }

    private DenseBlock reuse(DenseBlock current, DenseBlock x, int cols) {
      if (fresh || current == null || current.numRows() != x.numRows()) {
        return DenseBlock.zeros(dtype, x.numRows(), cols);
      }
      return current;
    }

    /** The array kept for later blocks: the larger, so a short last block keeps the full one. */
    private static DenseBlock kept(DenseBlock current, DenseBlock used) {
      return current != null && current.numRows() > used.numRows() ? current : used;
    }
  }

  private static double squares(DenseBlock block) {
    double sum = 0;
    int size = block.numRows() * block.numCols();
    if (block.dtype() == DType.FLOAT64) {
      double[] v = block.doubles();
      for (int i = 0; i < size; i++) {
        sum += v[i] * v[i];
      }
    } else {
      float[] v = block.floats();
      for (int i = 0; i < size; i++) {
        sum += (double) v[i] * v[i];
      }
    }
    return sum;
  }
}
