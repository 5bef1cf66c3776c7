package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.net.NetworkKernels.Workspace;
import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A task's block-sized arrays: the per-block results (y, g, dx, carrying the block's row ids),
 * the network's hidden-layer workspace and, for minibatch steps, the gathered rows of X and their
 * labels. Results that are kept for writing get new arrays; every other array is reused by
 * later blocks of the same shape (the two latest row counts of each kind), and a task hands its
 * set on to the executor's next task of the same network and dtype ({@link #take}), so passes
 * after the first allocate no block-sized arrays (arrays of a few MB are humongous objects to
 * G1, and allocating them every pass started concurrent marking cycles that cost as much CPU
 * as a forward pass's GEMMs). A task takes the set its partition used last when there is one: a
 * minibatch step's gathered blocks have the row counts of its partition's slice (⌊n_u / S⌋ or one
 * more, n_u the partition's rows), which differ between partitions.
 */
final class Buffers {
  /** Sets handed back by finished tasks of this executor, held softly (freed under pressure). */
  private static final Deque<SoftReference<Buffers>> POOL = new ConcurrentLinkedDeque<>();
  private static final int POOL_SIZE = 8;
  /**
   * Row counts kept per kind: full blocks and the latest short ones (a minibatch step's last block
   * has one of two row counts).
   */
  private static final int SIZES_KEPT = 3;

  private final DType dtype;
  private final int[] sizes;
  private final Map<String, LinkedHashMap<Integer, Object>> arrays = new HashMap<>();
  private Workspace work;
  /** The partition of the task that used this set last. */
  private int partition;

  /** @param sizes the network's layer sizes d_0 .. d_L */
  Buffers(DType dtype, int[] sizes) {
    this.dtype = dtype;
    this.sizes = sizes.clone();
  }

  /**
   * A pooled set for this network's sizes in {@code dtype} when there is one, the one that
   * {@code partition} used last first, else a new one.
   */
  static Buffers take(DType dtype, int[] sizes, int partition) {
    SoftReference<Buffers> fits = null;
    for (SoftReference<Buffers> ref : POOL) {
      Buffers set = ref.get();
      if (set == null) {
        POOL.removeFirstOccurrence(ref);
      } else if (set.dtype == dtype && Arrays.equals(set.sizes, sizes)
          && (fits == null || set.partition == partition)) {
        fits = ref;
        if (set.partition == partition) {
          break;
        }
      }
    }
    Buffers set = fits == null ? null : fits.get();
    // another task may have taken it since: then a new set
    if (set == null || !POOL.removeFirstOccurrence(fits)) {
      set = new Buffers(dtype, sizes);
    }
    set.partition = partition;
    return set;
  }

  /** Hands this set on to a later task; the caller no longer uses it. */
  void giveBack() {
    POOL.addFirst(new SoftReference<>(this));
    // the oldest sets go (another network's, or more than the executor's tasks use)
    while (POOL.size() > POOL_SIZE) {
      POOL.pollLast();
    }
  }

  /** The hidden layers' scratch, one per task. */
  Workspace work() {
    if (work == null) {
      work = new Workspace();
    }
    return work;
  }

  /** y = dL/dY's shape: rows x d_L, with x's row ids; a new array when it is kept. */
  DenseBlock y(DenseBlock x, boolean kept) {
    return result("y", x, sizes[sizes.length - 1], kept);
  }

  DenseBlock g(DenseBlock x) {
    return result("g", x, sizes[sizes.length - 1], false);
  }

  /** dX: rows x d_0; a new array when it is kept. */
  DenseBlock dx(DenseBlock x, boolean kept) {
    return result("dx", x, sizes[0], kept);
  }

  private DenseBlock result(String kind, DenseBlock x, int cols, boolean kept) {
    DenseBlock block = kept ? DenseBlock.zeros(dtype, x.numRows(), cols)
        : block(kind, dtype, x.numRows(), cols);
    return block.withRowIds(x.rowIds());
  }

  /** A reused rows x cols block of {@code kind} in {@code type} (contents left as they were). */
  DenseBlock block(String kind, DType type, int rows, int cols) {
    String key = kind + ":" + type + ":" + cols;
    DenseBlock block = (DenseBlock) kept(key, rows);
    if (block == null) {
      block = DenseBlock.zeros(type, rows, cols);
      keep(key, rows, block);
    }
    return block;
  }

  /** A reused long[rows] of {@code kind}. */
  long[] longs(String kind, int rows) {
    long[] values = (long[]) kept(kind, rows);
    if (values == null) {
      values = new long[rows];
      keep(kind, rows, values);
    }
    return values;
  }

  /** A reused int[rows] of {@code kind}. */
  int[] ints(String kind, int rows) {
    int[] values = (int[]) kept(kind, rows);
    if (values == null) {
      values = new int[rows];
      keep(kind, rows, values);
    }
    return values;
  }

  private Object kept(String key, int rows) {
    LinkedHashMap<Integer, Object> bySize = arrays.get(key);
    return bySize == null ? null : bySize.get(rows);
  }

  private void keep(String key, int rows, Object value) {
    LinkedHashMap<Integer, Object> bySize = arrays.computeIfAbsent(key,
        k -> new LinkedHashMap<>(4, 0.75f, true));
    bySize.put(rows, value);
    Iterator<Integer> oldest = bySize.keySet().iterator();
    while (bySize.size() > SIZES_KEPT) {
      oldest.next();
      oldest.remove();
    }
  }
}
