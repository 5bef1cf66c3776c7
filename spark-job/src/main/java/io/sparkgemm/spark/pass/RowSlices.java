package io.sparkgemm.spark.pass;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.Chunks;
import io.sparkgemm.spark.block.LabeledBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/**
 * The driver's view of minibatch slicing over one cached input: the row count of every unit
 * (leaf of the reduction tree: a partition, or with --deterministic a chunk), counted once by
 * one job, so each step's row total (the loss head's n) is known before its pass.
 */
public final class RowSlices {
  private final long[] unitRows;
  private final long numRows;

  private RowSlices(long[] unitRows) {
    this.unitRows = unitRows;
    long sum = 0;
    for (long rows : unitRows) {
      sum += rows;
    }
    this.numRows = sum;
  }

  /** Counts the rows of every unit of {@code input}'s cached blocks (one Spark job). */
  public static RowSlices count(BlockedInput input) {
    Chunks chunks = input.chunks();
    List<Tuple2<Integer, Long>> counts = input.blocks().mapPartitionsWithIndex(
        (partition, blocks) -> unitCounts(chunks, partition, blocks).iterator(), true)
        .collect();
    long[] rows = new long[input.numLeaves()];
    for (Tuple2<Integer, Long> t : counts) {
      rows[t._1()] += t._2();
    }
    for (int u = 0; u < rows.length; u++) {
      if (rows[u] > Integer.MAX_VALUE - 8) {
        throw new BadParameterException("Minibatches slice each partition's rows, but "
            + (chunks.enabled() ? "chunk " : "partition ") + u + " holds " + rows[u]
            + " rows, more than " + (Integer.MAX_VALUE - 8) + ": use more ", param("partitions"));
      }
    }
    return new RowSlices(rows);
  }

  private static List<Tuple2<Integer, Long>> unitCounts(Chunks chunks, int partition,
      Iterator<LabeledBlock> blocks) {
    List<Tuple2<Integer, Long>> out = new ArrayList<>();
    while (blocks.hasNext()) {
      LabeledBlock block = blocks.next();
      out.add(new Tuple2<>(chunks.leafOf(block.x().rowId(0), partition),
          (long) block.numRows()));
    }
    return out;
  }

  /** n, the rows of all units. */
  public long numRows() {
    return numRows;
  }

  /** The rows of each unit, by leaf index (a copy). */
  public long[] unitRows() {
    return unitRows.clone();
  }

  /** ⌈n / batchRows⌉: the steps of an epoch whose steps take about batchRows rows each. */
  public int stepsPerEpoch(int batchRows) {
    if (batchRows < 1) {
      throw new BadParameterException(param("batchRows"), " must be >= 1, got " + batchRows);
    }
    long steps = (numRows + batchRows - 1) / batchRows;
    return (int) Math.max(1, Math.min(steps, Integer.MAX_VALUE));
  }

  /** Step {@code step} of {@code steps} in {@code epoch}, with its row total. */
  public RowSlice slice(long seed, int epoch, int step, int steps) {
    if (steps < 1 || step < 0 || step >= steps) {
      throw new IllegalArgumentException("Step " + step + " of " + steps + " steps per epoch "
          + "(expected 0 <= step < steps)");
    }
    long rows = 0;
    for (long size : unitRows) {
      rows += RowSlice.count((int) size, step, steps);
    }
    if (rows == 0) {
      throw new IllegalArgumentException("Step " + step + " of " + steps + " takes no rows: "
          + "the input has " + numRows + " rows (expected at most one step per row)");
    }
    return new RowSlice(seed, epoch, step, steps, rows);
  }
}
