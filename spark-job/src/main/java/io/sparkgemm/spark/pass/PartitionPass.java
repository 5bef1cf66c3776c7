package io.sparkgemm.spark.pass;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.local.net.NetworkKernels;
import io.sparkgemm.local.net.NetworkParams;
import io.sparkgemm.spark.block.Chunks;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.output.OutputBlock;
import io.sparkgemm.spark.pass.LinearPass.Task;
import io.sparkgemm.spark.reduce.PartitionResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One partition's share of a pass, on its executor: a result per leaf of the reduction tree. A
 * leaf is the partition, or with --deterministic each chunk of row ids, so a chunk's blocks are
 * always summed together and in the same order, whichever partition holds them. Every block runs
 * the same network kernels, whether it is a cached block (every row) or a gathered block of a
 * minibatch step.
 */
final class PartitionPass {
  private final Task task;
  private final PassSpec spec;
  private final NetworkParams params;
  private final NetworkKernels kernels;
  private final Buffers buffers;
  private final LossHead head;
  private final boolean keep;
  private final boolean keepY;
  private final boolean supplied;

  private PartitionPass(Task task, int partition, NetworkParams params, NetworkKernels kernels) {
    this.task = task;
    this.spec = task.spec();
    this.params = params;
    this.kernels = kernels;
    this.head = spec.backward() ? LossHeads.of(spec.loss(), task.headRows()) : null;
    this.keep = spec.keepsOutputs();
    this.keepY = keep && spec.keepOutput();
    this.supplied = spec.loss() == Loss.SUPPLIED;
    int[] sizes = params.network().sizes();
    this.buffers = Buffers.take(spec.dtype(), sizes, partition);
  }

  /**
   * The partition's results, one per leaf, with the backend and the task's seconds. A pass over
   * every row streams the blocks: each block is summed into its leaf as it comes from the cache
   * (or the input), and its kept Y and dX leave as results of their own, so a partition need not
   * fit in the executor's memory. The order blocks come in is fixed by how they were made (the
   * input's order, or sorted by first row id after a shuffle, see InputLoader), so the float64
   * sums are the same whenever the partition is read or recomputed. A minibatch step and the
   * device pass take the partition's blocks as a list.
   */
  static Iterator<PartitionResult> run(Task task, int partition, Iterator<LabeledBlock> blocks,
      NetworkParams params) {
    long start = System.nanoTime();
    if (!blocks.hasNext()) {
      return emptyPartition(task, partition).iterator();
    }
    NetworkKernels kernels = LinearPass.kernels(task);
    String backend = kernels.backend().info().describe();
    if (LinearPass.onDevice(task, params.network(), kernels)) {
      return List.of(LinearPass.onDevice(task, partition, all(blocks), params, kernels, backend,
          start)).iterator();
    }
    PartitionPass pass = new PartitionPass(task, partition, params, kernels);
    if (task.slice() == null) {
      return pass.new AllRows(partition, blocks, backend, start);
    }
    List<PartitionResult> results = pass.stepRows(partition, all(blocks));
    pass.buffers.giveBack();
    return spreadSeconds(results, backend, (System.nanoTime() - start) / 1e9).iterator();
  }

  private static List<LabeledBlock> all(Iterator<LabeledBlock> blocks) {
    List<LabeledBlock> all = new ArrayList<>();
    blocks.forEachRemaining(all::add);
    return all;
  }

  /** An empty partition's share: nothing with --deterministic, else an empty leaf. */
  private static List<PartitionResult> emptyPartition(Task task, int partition) {
    return task.chunks().enabled() ? List.of()
        : List.of(new PartitionResult(partition, (NetworkGradient) null, List.of(), null, 0, 0.0,
            0.0));
  }

  /**
   * Every block, summed into its leaf in the order the blocks come: a leaf's result when its
   * last block is done (the blocks of a chunk are consecutive), each block's kept outputs as
   * soon as they are computed. The leaves share the task's seconds by when they finished.
   */
  private final class AllRows implements Iterator<PartitionResult> {
    private final int partition;
    private final Iterator<LabeledBlock> blocks;
    private final String backend;
    private final TestHooks hooks;
    private final Deque<PartitionResult> ready = new ArrayDeque<>();
    private long since;
    private Leaf leaf;
    private int done;
    private boolean finished;

    AllRows(int partition, Iterator<LabeledBlock> blocks, String backend, long start) {
      this.partition = partition;
      this.blocks = blocks;
      this.backend = backend;
      this.since = start;
      this.hooks = TestHooks.forTask(partition);
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && !finished) {
        step();
      }
      return !ready.isEmpty();
    }

    @Override
    public PartitionResult next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    /** One more block, or the last leaf once the blocks are done. */
    private void step() {
      if (!blocks.hasNext()) {
        hooks.afterBlocks(done);
        ready.add(finishLeaf());
        finished = true;
        buffers.giveBack();
        return;
      }
      LabeledBlock next = blocks.next();
      hooks.beforeBlock(done++);
      int index = task.chunks().leafOf(next.x().rowId(0), partition);
      if (leaf == null || leaf.index != index) {
        if (leaf != null) {
          ready.add(finishLeaf());
        }
        leaf = new Leaf(index, spec.backward() ? new NetworkGradient(params.network()) : null);
      }
      List<OutputBlock> outputs = block(next, leaf);
      if (!outputs.isEmpty()) {
        ready.add(PartitionResult.outputsOf(leaf.index, outputs));
      }
    }

    private PartitionResult finishLeaf() {
      long now = System.nanoTime();
      PartitionResult done = leaf.finish(backend, (now - since) / 1e9);
      since = now;
      return done;
    }
  }

  /**
   * A minibatch step: each unit's (leaf's) step rows, gathered into step blocks in ascending
   * position order and summed into the unit's leaf.
   */
  private List<PartitionResult> stepRows(int partition, List<LabeledBlock> ordered) {
    Chunks chunks = task.chunks();
    List<List<LabeledBlock>> units = new ArrayList<>();
    List<Integer> leaves = new ArrayList<>();
    for (LabeledBlock block : ordered) {
      int index = chunks.leafOf(block.x().rowId(0), partition);
      if (leaves.isEmpty() || leaves.get(leaves.size() - 1) != index) {
        leaves.add(index);
        units.add(new ArrayList<>());
      }
      units.get(units.size() - 1).add(block);
    }
    List<int[]> positions = new ArrayList<>(units.size());
    for (int u = 0; u < units.size(); u++) {
      long identity = chunks.enabled() ? chunks.ids()[leaves.get(u)] : partition;
      int[] mine = task.slice().positions(identity, rows(units.get(u)));
      positions.add(mine);
    }
    TestHooks hooks = TestHooks.forTask(partition);
    List<PartitionResult> results = new ArrayList<>(units.size());
    int done = 0;
    for (int u = 0; u < units.size(); u++) {
      Leaf leaf = new Leaf(leaves.get(u), new NetworkGradient(params.network()));
      StepBlocks step = new StepBlocks(units.get(u), positions.get(u), task.blockRows(),
          buffers);
      while (step.hasNext()) {
        hooks.beforeBlock(done++);
        block(step.next(), leaf);
      }
      results.add(leaf.finish(null, 0.0));
    }
    hooks.afterBlocks(done);
    return results;
  }

  private static int rows(List<LabeledBlock> unit) {
    long rows = 0;
    for (LabeledBlock block : unit) {
      rows += block.numRows();
    }
    if (rows > Integer.MAX_VALUE - 8) {
      throw new BadParameterException("A minibatch unit (partition or chunk) holds " + rows
          + " rows, more than " + (Integer.MAX_VALUE - 8) + ": use more ", param("partitions"));
    }
    return (int) rows;
  }

  /**
   * One block through the network. With a supplied G, Y is computed only when it is kept: the
   * gradients and dX need only the hidden layers, G and θ.
   */
  private List<OutputBlock> block(LabeledBlock block, Leaf leaf) {
    DenseBlock x = block.x();
    // x: rows x d_0   y, g: rows x d_L   dx: rows x d_0
    DenseBlock y = supplied && !keepY ? null : buffers.y(x, keepY);
    DenseBlock dx = head != null && spec.inputGradient() ? buffers.dx(x, keep) : null;
    NetworkKernels.Workspace work = buffers.work();
    if (head == null) {
      kernels.forward(params, x, work, y);
    } else if (supplied) {
      if (y != null) {
        kernels.forward(params, x, work, y);
      }
      // the adjoints from the supplied g: dW_l, db_l for every layer and dx = g_0 w_0ᵀ
      kernels.backwardFromGradient(params, x, upstream(block, x), dx, work, leaf.acc);
    } else {
      // forward, g = dL/dy, then dW_l += a_lᵀ g_l, db_l += 1ᵀ g_l layer by layer, dx = g_0 w_0ᵀ
      kernels.backward(params, x, head, block.labels(), y, buffers.g(x), dx, work, leaf.acc);
    }
    leaf.rows += x.numRows();
    if (!keep) {
      return List.of();
    }
    List<OutputBlock> outputs = new ArrayList<>(2);
    if (keepY) {
      if (spec.softmax()) {
        RowSoftmax.apply(y);
      }
      outputs.add(new OutputBlock("Y", y));
    }
    if (dx != null) {
      // ||dX|| for the report.
      leaf.dxSquares += squares(dx);
      outputs.add(new OutputBlock("dX", dx));
    }
    return outputs;
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
    final NetworkGradient acc;
    long rows;
    double dxSquares;

    /** @param acc the leaf's gradient sums, or null for a forward pass */
    Leaf(int index, NetworkGradient acc) {
      this.index = index;
      this.acc = acc;
    }

    /** The leaf's sums, with the backend and seconds for the report (null and 0 to add later). */
    PartitionResult finish(String backend, double seconds) {
      return new PartitionResult(index, acc, List.of(), backend, rows, seconds, dxSquares);
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
