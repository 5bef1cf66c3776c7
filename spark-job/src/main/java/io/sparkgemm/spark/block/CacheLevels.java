package io.sparkgemm.spark.block;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How cached blocks are stored. The default, MEMORY_AND_DISK, keeps what fits in executor storage
 * memory and writes the rest to local disk, so inputs larger than memory still run (from disk)
 * rather than fail or be recomputed from the source on every pass.
 */
public final class CacheLevels {
  public static final String DEFAULT = "MEMORY_AND_DISK";
  private static final Logger LOG = LoggerFactory.getLogger(CacheLevels.class);
  /** How long to wait for Spark's listener queues; only a stalled driver takes this long. */
  private static final long REPORTS_MILLIS = 60_000;
  static final List<String> NAMES = List.of("MEMORY_AND_DISK", "MEMORY_AND_DISK_SER",
      "DISK_ONLY", "MEMORY_ONLY", "MEMORY_ONLY_SER");

  private CacheLevels() {
  }

  /** A storage level by name (case-insensitive), or a clear error listing the choices. */
  public static StorageLevel parse(String name) {
    String upper = (name == null ? DEFAULT : name).trim().toUpperCase(Locale.ROOT)
        .replace('-', '_');
    if (!NAMES.contains(upper)) {
      throw new IllegalArgumentException("Unknown --storage-level '" + name + "': expected one of "
          + String.join(", ", NAMES));
    }
    return StorageLevel.fromString(upper);
  }

  /** Where a cached RDD's blocks are now: bytes in memory and on disk. */
  public record Placement(String level, long memoryBytes, long diskBytes, int cachedPartitions,
      int partitions) {

    public String describe() {
      return String.format(Locale.ROOT, "%s: %d of %d partitions cached, %s in memory, %s on "
          + "local disk", level, cachedPartitions, partitions, mb(memoryBytes),
          mb(diskBytes));
    }
  }

  /** Bytes as megabytes with one decimal, for logs and reports. */
  public static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  /** Where the cached {@code rdd}'s blocks are now; {@code level} names its storage level. */
  public static Placement placement(JavaRDD<?> rdd, String level) {
    RDD<?> r = rdd.rdd();
    for (RDDInfo info : storageInfo(r.context())) {
      if (info.id() == r.id()) {
        return new Placement(level, info.memSize(), info.diskSize(), info.numCachedPartitions(),
            info.numPartitions());
      }
    }
    return new Placement(level, 0, 0, 0, rdd.getNumPartitions());
  }

  /**
   * Spark's storage figures of every cached RDD, holding every block stored so far. A task
   * reports each block it stores to the driver before it ends, but the figures are kept by a
   * listener that reads those reports from an asynchronous queue: right after an action they
   * may lack some of its blocks, or all of them on a busy machine. So this first waits until
   * Spark's listener queues are empty, i.e. until every report posted so far has been read.
   */
  public static RDDInfo[] storageInfo(SparkContext sc) {
    try {
      sc.listenerBus().waitUntilEmpty(REPORTS_MILLIS);
    } catch (TimeoutException e) {
      LOG.warn("Spark's listener queues did not empty in {} s: the cache figures may lack "
          + "blocks", REPORTS_MILLIS / 1000);
    }
    return sc.getRDDStorageInfo();
  }
}
