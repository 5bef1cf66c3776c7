package io.sparkgemm.spark.pass;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One minibatch step's rows: a slice of every unit's cached rows, where a unit is a partition,
 * or with --deterministic a chunk of row ids. A unit of n_u rows (its rows in row-id order,
 * numbered 0..n_u-1) is put in a seeded order, {@link #order}, that depends only on
 * {@code seed}, {@code epoch}, the unit's identity (partition index, or chunk index in row-id
 * space) and n_u, never on scheduling, so recomputed or retried tasks take the same rows. Step
 * s of S takes positions [⌊s·n_u/S⌋, ⌊(s+1)·n_u/S⌋) of that order, sorted ascending: over the
 * S steps of an epoch every row is taken exactly once.
 *
 * @param seed the run's seed
 * @param epoch the epoch (a new order per epoch)
 * @param step s, in [0, steps)
 * @param steps S, the steps per epoch
 * @param rows the step's rows over all units, the n of the loss head's 1/n (made by
 *     {@link RowSlices#slice}, which knows every unit's size)
 */
public record RowSlice(long seed, int epoch, int step, int steps, long rows)
    implements Serializable {
  /** SplitMix64's increment, 2⁶⁴/φ. */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  public RowSlice {
    if (steps < 1 || step < 0 || step >= steps) {
      throw new IllegalArgumentException("Step " + step + " of " + steps + " steps per epoch "
          + "(expected 0 <= step < steps)");
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    if (rows < 1) {
      throw new IllegalArgumentException("A step needs at least one row, got " + rows);
    }
  }

  /** The rows step {@code step} of {@code steps} takes from a unit of {@code size} rows. */
  public static int count(int size, int step, int steps) {
    return (int) (bound(size, step + 1, steps) - bound(size, step, steps));
  }

  /** ⌊s·n/S⌋. */
  private static long bound(int size, int step, int steps) {
    return (long) size * step / steps;
  }

  /**
   * The unit's row positions 0..size-1 in this epoch's order: a Fisher–Yates shuffle (i from
   * size-1 down to 1 swaps i with j in [0, i]) driven by SplitMix64 seeded with
   * {@link #unitSeed}; j = ((z >>> 33)·(i + 1)) >>> 31 for the generator's next value z.
   */
  public static int[] order(long seed, int epoch, long unit, int size) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    long state = unitSeed(seed, epoch, unit, size);
    for (int i = size - 1; i > 0; i--) {
      state += GOLDEN;
      int j = (int) (((mix(state) >>> 33) * (i + 1)) >>> 31);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** This step's positions in a unit of {@code size} rows with identity {@code unit}, sorted. */
  public int[] positions(long unit, int size) {
    int[] order = Orders.of(seed, epoch, unit, size);
    int from = (int) bound(size, step, steps);
    int[] mine = Arrays.copyOfRange(order, from, (int) bound(size, step + 1, steps));
    Arrays.sort(mine);
    return mine;
  }

  /** The generator's start for one unit and epoch: the four values mixed in turn. */
  static long unitSeed(long seed, int epoch, long unit, int size) {
    long h = mix(seed + GOLDEN);
    h = mix(h + GOLDEN * (epoch + 1L));
    h = mix(h ^ (unit * GOLDEN + 1));
    return mix(h + size);
  }

  /** SplitMix64's finaliser (Stafford's variant 13). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
