package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.block.LabeledBlock;
import java.util.List;

/**
 * One unit's rows of a minibatch step, gathered from its cached blocks into step blocks of at
 * most {@code blockRows} rows (X rows with their row ids, and their targets, classes or supplied
 * G), in ascending position order. The arrays are the task's pooled ones ({@link Buffers}): a
 * step block is valid until the next one is gathered.
 */
final class StepBlocks {
  private final List<LabeledBlock> unit;
  private final long[] starts;
  private final int[] positions;
  private final int blockRows;
  private final Buffers buffers;
  private int next;
  private int block;

  /**
   * @param unit the unit's cached blocks in row-id order
   * @param positions the step's positions within the unit (0 .. rows-1), ascending
   */
  StepBlocks(List<LabeledBlock> unit, int[] positions, int blockRows, Buffers buffers) {
    this.unit = unit;
    this.positions = positions;
    this.blockRows = Math.max(1, blockRows);
    this.buffers = buffers;
    this.starts = new long[unit.size() + 1];
    for (int i = 0; i < unit.size(); i++) {
      starts[i + 1] = starts[i] + unit.get(i).numRows();
    }
  }

  boolean hasNext() {
    return next < positions.length;
  }

  /** Gathers the next at most blockRows positions into one block. */
  LabeledBlock next() {
    int from = next;
    int rows = Math.min(blockRows, positions.length - from);
    next += rows;
    LabeledBlock first = unit.get(0);
    DenseBlock x0 = first.x();
    int d = x0.numCols();
    DenseBlock x = buffers.block("stepX", x0.dtype(), rows, d);
    long[] ids = buffers.longs("stepIds", rows);
    DenseBlock targets = first.targets() == null ? null
        : buffers.block("stepT", DType.FLOAT64, rows, first.targets().numCols());
    int[] classes = first.classes() == null ? null : buffers.ints("stepC", rows);
    DenseBlock upstream = first.upstream() == null ? null
        : buffers.block("stepG", first.upstream().dtype(), rows, first.upstream().numCols());
    for (int r = 0; r < rows; r++) {
      long p = positions[from + r];
      while (p >= starts[block + 1]) {
        block++;
      }
      LabeledBlock source = unit.get(block);
      int local = (int) (p - starts[block]);
      copyRow(source.x(), local, x, r);
      ids[r] = source.x().rowId(local);
      if (targets != null) {
        copyRow(source.targets(), local, targets, r);
      }
      if (classes != null) {
        classes[r] = source.classes()[local];
      }
      if (upstream != null) {
        copyRow(source.upstream(), local, upstream, r);
      }
    }
    return new LabeledBlock(x.withRowIds(ids), targets, classes, upstream);
  }

  private static void copyRow(DenseBlock from, int row, DenseBlock to, int toRow) {
    int cols = from.numCols();
    if (from.dtype() == DType.FLOAT64) {
      System.arraycopy(from.doubles(), row * cols, to.doubles(), toRow * cols, cols);
    } else {
      System.arraycopy(from.floats(), row * cols, to.floats(), toRow * cols, cols);
    }
  }
}
