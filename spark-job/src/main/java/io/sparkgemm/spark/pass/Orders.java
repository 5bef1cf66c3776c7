package io.sparkgemm.spark.pass;

import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The units' epoch orders ({@link RowSlice#order}) this JVM has shuffled, so that the steps of an
 * epoch shuffle each unit once rather than once a step: a shuffle touches every row of the unit
 * (a partition of a million rows takes milliseconds), a step only its slice. Held softly, and
 * forgotten all together once {@link #KEPT} are held (a few epochs of an executor's units).
 */
final class Orders {
  private static final int KEPT = 256;
  private static final Map<Key, SoftReference<int[]>> ORDERS = new ConcurrentHashMap<>();

  private record Key(long seed, int epoch, long unit, int size) {
  }

  private Orders() {
  }

  /** {@link RowSlice#order}(seed, epoch, unit, size), shared: do not modify. */
  static int[] of(long seed, int epoch, long unit, int size) {
    Key key = new Key(seed, epoch, unit, size);
    SoftReference<int[]> kept = ORDERS.get(key);
    int[] order = kept == null ? null : kept.get();
    if (order == null) {
      order = RowSlice.order(seed, epoch, unit, size);
      if (ORDERS.size() >= KEPT) {
        ORDERS.clear();
      }
      ORDERS.put(key, new SoftReference<>(order));
    }
    return order;
  }
}
