package io.sparkgemm.spark.pass;

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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

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

  private PartitionPass(Task task, NetworkParams params, NetworkKernels kernels) {
    this.task = task;
    this.spec = task.spec();
    this.params = params;
    this.kernels = kernels;
    this.head = spec.backward() ? LossHeads.of(spec.loss(), task.headRows()) : null;
    this.keep = spec.keepsOutputs();
    this.keepY = keep && spec.keepOutput();
    this.supplied = spec.loss() == Loss.SUPPLIED;
    int[] sizes = params.network().sizes();
    this.buffers = keep ? new Buffers(spec.dtype(), sizes, true)
        : Buffers.take(spec.dtype(), sizes);
  }

  /** The partition's results, one per leaf, with the backend and the task's seconds. */
  static Iterator<PartitionResult> run(Task task, int partition, Iterator<LabeledBlock> blocks,
      NetworkParams params) {
    long start = System.nanoTime();
    List<LabeledBlock> ordered = LabeledBlock.inRowIdOrder(blocks);
    if (ordered.isEmpty()) {
      return emptyPartition(task, partition).iterator();
    }
    NetworkKernels kernels = LinearPass.kernels(task);
    String backend = kernels.backend().info().describe();
    if (LinearPass.onDevice(task, params.network(), kernels)) {
      return List.of(LinearPass.onDevice(task, partition, ordered, params, kernels, backend,
          start)).iterator();
    }
    PartitionPass pass = new PartitionPass(task, params, kernels);
    List<PartitionResult> results = task.slice() == null ? pass.allRows(partition, ordered)
        : pass.stepRows(partition, ordered);
    if (!pass.keep) {
      pass.buffers.giveBack();
    }
    return spreadSeconds(results, backend, (System.nanoTime() - start) / 1e9).iterator();
  }

  /** An empty partition's share: nothing with --deterministic, else an empty leaf. */
  private static List<PartitionResult> emptyPartition(Task task, int partition) {
    return task.chunks().enabled() ? List.of()
        : List.of(new PartitionResult(partition, (NetworkGradient) null, List.of(), null, 0, 0.0,
            0.0));
  }

  /** Every cached block, summed into its leaf, in row-id order. */
  private List<PartitionResult> allRows(int partition, List<LabeledBlock> ordered) {
    TestHooks hooks = TestHooks.forTask(partition, ordered.size());
    List<PartitionResult> results = new ArrayList<>();
    Leaf leaf = null;
    int done = 0;
    for (LabeledBlock block : ordered) {
      hooks.beforeBlock(done++);
      int index = task.chunks().leafOf(block.x().rowId(0), partition);
      if (leaf == null || leaf.index != index) {
        if (leaf != null) {
          results.add(leaf.finish());
        }
        leaf = new Leaf(index, spec.backward() ? new NetworkGradient(params.network()) : null);
      }
      block(block, leaf);
    }
    results.add(leaf.finish());
    return results;
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
    int stepBlocks = 0;
    for (int u = 0; u < units.size(); u++) {
      long identity = chunks.enabled() ? chunks.ids()[leaves.get(u)] : partition;
      int[] mine = task.slice().positions(identity, rows(units.get(u)));
      positions.add(mine);
      stepBlocks += StepBlocks.count(mine.length, task.blockRows());
    }
    TestHooks hooks = TestHooks.forTask(partition, stepBlocks);
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
      results.add(leaf.finish());
    }
    return results;
  }

  private static int rows(List<LabeledBlock> unit) {
    long rows = 0;
    for (LabeledBlock block : unit) {
      rows += block.numRows();
    }
    if (rows > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("A minibatch unit (partition or chunk) holds " + rows
          + " rows, more than " + (Integer.MAX_VALUE - 8) + ": use more partitions");
    }
    return (int) rows;
  }

  /**
   * One block through the network. With a supplied G, Y is computed only when it is kept: the
   * gradients and dX need only the hidden layers, G and θ.
   */
  private void block(LabeledBlock block, Leaf leaf) {
    DenseBlock x = block.x();
    // x: rows x d_0   y, g: rows x d_L   dx: rows x d_0
    DenseBlock y = supplied && !keepY ? null : buffers.y(x);
    DenseBlock dx = head != null && spec.inputGradient() ? buffers.dx(x) : null;
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
    if (keepY) {
      if (spec.softmax()) {
        RowSoftmax.apply(y);
      }
      leaf.outputs.add(new OutputBlock("Y", y));
    }
    if (keep && dx != null) {
      // ||dX|| for the report.
      leaf.dxSquares += squares(dx);
      leaf.outputs.add(new OutputBlock("dX", dx));
    }
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
    final List<OutputBlock> outputs = new ArrayList<>();
    long rows;
    double dxSquares;

    /** @param acc the leaf's gradient sums, or null for a forward pass */
    Leaf(int index, NetworkGradient acc) {
      this.index = index;
      this.acc = acc;
    }

    PartitionResult finish() {
      return new PartitionResult(index, acc, outputs, null, rows, 0.0, dxSquares);
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
