package io.sparkgemm.local.cuda;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Blocks kept in device memory across passes, under a byte budget, least recently used evicted
 * first. A training loop reads the same X (and label) blocks every iteration; keeping them on the
 * device means an iteration moves only W in and dW, db out instead of all of X over PCIe.
 *
 * <p>A block in use is pinned ({@link #acquire} or {@link #admit} until {@link #release}) and is
 * never evicted. Allocation goes through an {@link Allocator}, so the policy is tested without a
 * GPU. Thread-safe: task threads on one device share one cache.
 *
 * @param <K> block key, e.g. (dataset, partition, block index)
 * @param <M> the allocation type (device memory)
 */
public final class DeviceBlockCache<K, M> {

  /** Allocates and frees the cached memory. */
  public interface Allocator<M> {
    /** @throws RuntimeException when the device has no room */
    M allocate(long bytes);

    void free(M memory);
  }

  /** Counters since creation. */
  public record Stats(long hits, long misses, long admitted, long refused, long evictions,
      long residentBytes, int residentBlocks, long budgetBytes) {
  }

  private static final class Entry<M> {
    final M memory;
    final long bytes;
    int pins;

    Entry(M memory, long bytes) {
      this.memory = memory;
      this.bytes = bytes;
    }
  }

  private final Allocator<M> allocator;
  /** Access order: the first entry is the least recently used. */
  private final LinkedHashMap<K, Entry<M>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long budgetBytes;
  private long residentBytes;
  private long hits;
  private long misses;
  private long admitted;
  private long refused;
  private long evictions;

  public DeviceBlockCache(Allocator<M> allocator, long budgetBytes) {
    this.allocator = allocator;
    setBudget(budgetBytes);
  }

  /** The resident block for {@code key}, pinned and marked most recently used; null on a miss. */
  public synchronized M acquire(K key) {
    Entry<M> entry = entries.get(key);
    if (entry == null) {
      misses++;
      return null;
    }
    hits++;
    entry.pins++;
    return entry.memory;
  }

  /**
   * Makes room for a new block of {@code bytes} by evicting unpinned blocks, least recently used
   * first, allocates it and returns it pinned for the caller to fill. Returns null, evicting
   * nothing, when the block cannot fit: larger than the budget, or the pinned blocks leave no room.
   * Returns null also when the allocator fails (the device is full); the caller then streams the
   * block instead.
   */
  public synchronized M admit(K key, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("Block size must be >= 0 bytes, got " + bytes);
    }
    if (entries.containsKey(key)) {
      throw new IllegalStateException("Block " + key + " is already resident; acquire it");
    }
    if (bytes > budgetBytes - pinnedBytes()) {
      refused++;
      return null;
    }
    evictUntil(budgetBytes - bytes);
    M memory;
    try {
      memory = allocator.allocate(bytes);
    } catch (RuntimeException e) {
      refused++;
      return null;
    }
    Entry<M> entry = new Entry<>(memory, bytes);
    entry.pins = 1;
    entries.put(key, entry);
    residentBytes += bytes;
    admitted++;
    return memory;
  }

  /** Unpins a block returned by {@link #acquire} or {@link #admit}. */
  public synchronized void release(K key) {
    Entry<M> entry = entries.get(key);
    if (entry == null || entry.pins == 0) {
      throw new IllegalStateException("Block " + key + " is not pinned");
    }
    entry.pins--;
  }

  /** Drops a block (e.g. one whose upload failed). It must not be pinned by anyone else. */
  public synchronized void invalidate(K key) {
    Entry<M> entry = entries.remove(key);
    if (entry != null) {
      residentBytes -= entry.bytes;
      allocator.free(entry.memory);
    }
  }

  /** Sets the budget, evicting unpinned blocks (least recently used first) down to it. */
  public synchronized void setBudget(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("Device cache budget must be >= 0 bytes, got " + bytes);
    }
    budgetBytes = bytes;
    evictUntil(bytes);
  }

  /** Frees every unpinned block. */
  public synchronized void clear() {
    evictUntil(0);
  }

  public synchronized boolean contains(K key) {
    return entries.containsKey(key);
  }

  public synchronized Stats stats() {
    return new Stats(hits, misses, admitted, refused, evictions, residentBytes, entries.size(),
        budgetBytes);
  }

  private long pinnedBytes() {
    long pinned = 0;
    for (Entry<M> entry : entries.values()) {
      if (entry.pins > 0) {
        pinned += entry.bytes;
      }
    }
    return pinned;
  }

  private void evictUntil(long limit) {
    Iterator<Map.Entry<K, Entry<M>>> it = entries.entrySet().iterator();
    while (residentBytes > limit && it.hasNext()) {
      Entry<M> entry = it.next().getValue();
      if (entry.pins == 0) {
        it.remove();
        residentBytes -= entry.bytes;
        evictions++;
        allocator.free(entry.memory);
      }
    }
  }
}
