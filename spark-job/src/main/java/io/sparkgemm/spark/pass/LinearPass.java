package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.Deterministic;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.output.OutputBlock;
import io.sparkgemm.spark.reduce.GradientSum;
import io.sparkgemm.spark.reduce.OrderedTreeReduce;
import io.sparkgemm.spark.reduce.PartitionResult;
import io.sparkgemm.spark.reduce.Reduction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.LoggerFactory;

/**
 * One fused pass over the cached blocks: W and b broadcast once; for every block Y = XW + b,
 * then G from the loss head (or the supplied G), the loss, dW += XᵀG and db += 1ᵀG into one
 * float64 accumulator per partition, and dX = GWᵀ when asked. The partition sums are
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
          + "than one Java array holds; use --block-rows " + (Integer.MAX_VALUE - 8)
          / w.numCols() + " or fewer");
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<DenseBlock> wCast = jsc.broadcast(w.toDType(spec.dtype()));
    Broadcast<double[]> bCast = jsc.broadcast(b.clone());
    boolean keepOutputs = spec.keepsOutputs();
    long n = input.numRows();
    int d = w.numRows();
    int k = w.numCols();
    spark.sparkContext().setJobDescription(spec.describe());
    long start = System.nanoTime();
    boolean handedOver = false;
    try {
      long chunkRows = input.chunkRows();
      long[] chunkIds = input.chunkIds();
      String application = spark.sparkContext().applicationId();
      int blocksRdd = input.blocks().id();
      JavaRDD<PartitionResult> partials = input.blocks().mapPartitionsWithIndex(
          (index, blocks) -> runPartition(index, blocks, wCast.value(), bCast.value(), spec, n,
              chunkRows, chunkIds, application + ":" + blocksRdd), true);
      if (keepOutputs) {
        partials = partials.persist(StorageLevel.MEMORY_AND_DISK());
      }
      int leaves = chunkRows > 0 ? input.numChunks() : partials.getNumPartitions();
      Reduction plan = spec.backward() ? Reduction.plan(spark, spec.shardThreshold(),
          spec.treeDepth(), leaves, d, k)
          : new Reduction(1, 1);
      // Forward passes aggregate only the bookkeeping; their Y blocks stay cached for writing.
      OrderedTreeReduce.Reduced reduced = OrderedTreeReduce.reduce(partials, leaves,
          plan.depth(), OrderedTreeReduce.shardBounds(k, plan.shards()), d);
      GradientSum sum = reduced.sum();
      GradientAccumulator gradients = !spec.backward() ? null
          : sum.value() != null ? sum.value() : new GradientAccumulator(d, k);
      double seconds = (System.nanoTime() - start) / 1e9;
      PassResult result = new PassResult(gradients, keepOutputs ? partials : null, n, d, k,
          spec.backward() ? plan.depth() : 0, seconds, sum.seconds(), Math.sqrt(sum.dxSquares()),
          new ArrayList<>(sum.backends()), reduced.bytesToDriver(), plan.shards(), spec,
          List.of(wCast, bCast), new AtomicBoolean());
      if (!keepOutputs) {
        result.release();
      }
      handedOver = true;
      return result;
    } finally {
      if (!handedOver) {
        wCast.destroy();
        bCast.destroy();
      }
    }
  }

  /**
   * One partition's share: a result per leaf of the reduction tree. A leaf is the partition, or
   * with --deterministic each chunk of {@code chunkRows} row ids, so a chunk's blocks are always
   * summed together and in the same order, whichever partition holds them.
   */
  private static Iterator<PartitionResult> runPartition(int partition,
      Iterator<LabeledBlock> blocks, DenseBlock w, double[] b, PassSpec spec, long globalRows,
      long chunkRows, long[] chunkIds, String blocksId) {
    long start = System.nanoTime();
    // Blocks in row-id order: after a shuffle (repartition) or a recomputation the cache may
    // hand them over in another order, and the float64 sums must not depend on it.
    List<LabeledBlock> ordered = new ArrayList<>();
    blocks.forEachRemaining(ordered::add);
    if (ordered.isEmpty()) {
      return (chunkRows > 0 ? List.<PartitionResult>of()
          : List.of(new PartitionResult(partition, null, List.of(), null, 0, 0.0, 0.0)))
          .iterator();
    }
    ordered.sort(Comparator.comparingLong(block -> block.x().rowId(0)));
    long delayMillis = debugDelayMillis();
    int failAfter = FaultInjection.blocksBeforeFailure(partition, ordered.size());
    BackendOptions options = GpuResources.forTask(spec.backend());
    LinearKernels kernels = new LinearKernels(Backends.select(options));
    String backend = kernels.backend().info().describe();
    if (DevicePass.applies(spec, chunkRows, kernels.backend())) {
      return List.of(DevicePass.run((io.sparkgemm.local.cuda.CudaBackend) kernels.backend(),
          partition, ordered, w, b, globalRows, blocksId, backend, start)).iterator();
    }
    LossHead head = spec.backward() ? LossHeads.of(spec.loss(), globalRows) : null;
    boolean keep = spec.keepsOutputs();
    Buffers buffers = new Buffers(spec.dtype(), w.numRows(), w.numCols(), keep);
    List<PartitionResult> results = new ArrayList<>();
    Leaf leaf = null;
    int done = 0;
    for (LabeledBlock block : ordered) {
      if (done++ == failAfter) {
        FaultInjection.fail(partition);
      }
      if (delayMillis > 0) {
        pause(delayMillis);
      }
      DenseBlock x = block.x();
      int index = chunkRows > 0
          ? java.util.Arrays.binarySearch(chunkIds, Deterministic.chunkOf(x.rowId(0), chunkRows))
          : partition;
      if (leaf == null || leaf.index != index) {
        if (leaf != null) {
          results.add(leaf.finish(backend));
        }
        leaf = new Leaf(index, spec.backward() ? w.numRows() : 0, w.numCols());
      }
      // x: rows x d   w: d x k   y: rows x k
      DenseBlock y = buffers.y(x);
      DenseBlock dx = head != null && spec.inputGradient() ? buffers.dx(x) : null;
      if (head == null) {
        kernels.forward(x, w, b, y);
      } else {
        // y = x w + b, g = dL/dy, dw += xᵀ g, db += 1ᵀ g and dx = g wᵀ, in cache-sized panels
        kernels.backward(x, w, b, head, block.labels(), y, buffers.g(x), dx, leaf.acc);
      }
      leaf.rows += y.numRows();
      if (keep && spec.keepOutput()) {
        leaf.outputs.add(new OutputBlock("Y", y));
      }
      if (keep && dx != null) {
        // ||dX|| for the report.
        leaf.dxSquares += squares(dx);
        leaf.outputs.add(new OutputBlock("dX", dx));
      }
    }
    results.add(leaf.finish(backend));
    // Task time is spread over the leaves only for the report's total.
    double seconds = (System.nanoTime() - start) / 1e9;
    List<PartitionResult> timed = new ArrayList<>(results.size());
    for (PartitionResult r : results) {
      timed.add(new PartitionResult(r.leaf(), r.gradients(), r.outputs(), r.backend(), r.rows(),
          seconds / results.size(), r.dxSquares()));
    }
    return timed.iterator();
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

    PartitionResult finish(String backend) {
      return new PartitionResult(index, acc, outputs, backend, rows, 0.0, dxSquares);
    }
  }

  /**
   * Per-block result arrays (y, g, dx), carrying the block's row ids. Results that are kept for
   * writing get fresh arrays; otherwise full-size blocks reuse one set per partition.
   */
  private static final class Buffers {
    private final io.sparkgemm.local.DType dtype;
    private final int d;
    private final int k;
    private final boolean fresh;
    private DenseBlock y;
    private DenseBlock g;
    private DenseBlock dx;

    Buffers(io.sparkgemm.local.DType dtype, int d, int k, boolean fresh) {
      this.dtype = dtype;
      this.d = d;
      this.k = k;
      this.fresh = fresh;
    }

    DenseBlock y(DenseBlock x) {
      y = reuse(y, x, k);
      return y.withRowIds(x.rowIds());
    }

    DenseBlock g(DenseBlock x) {
      g = reuse(g, x, k);
      return g.withRowIds(x.rowIds());
    }

    DenseBlock dx(DenseBlock x) {
      dx = reuse(dx, x, d);
      return dx.withRowIds(x.rowIds());
    }

    private DenseBlock reuse(DenseBlock current, DenseBlock x, int cols) {
      if (fresh || current == null || current.numRows() != x.numRows()) {
        return DenseBlock.zeros(dtype, x.numRows(), cols);
      }
      return current;
    }
  }

  /**
   * Test hook for fault-injection tests: SPARK_GEMM_DEBUG_BLOCK_DELAY_MS in an executor's
   * environment makes every block wait that long, so a test can kill an executor mid-pass.
   */
  private static long debugDelayMillis() {
    String value = System.getenv("SPARK_GEMM_DEBUG_BLOCK_DELAY_MS");
    if (value == null || value.isBlank()) {
      return 0;
    }
    long millis = Long.parseLong(value.trim());
    LoggerFactory.getLogger(LinearPass.class).info("spark-gemm debug delay: {} ms per block "
        + "(SPARK_GEMM_DEBUG_BLOCK_DELAY_MS)", millis);
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

  private static double squares(DenseBlock block) {
    double sum = 0;
    int size = block.numRows() * block.numCols();
    if (block.dtype() == io.sparkgemm.local.DType.FLOAT64) {
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
