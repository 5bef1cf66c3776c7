package io.sparkgemm.spark.block;

import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where cached blocks are (memory, disk), and the storage level by name. */
public final class CacheLevels {
  public static final String DEFAULT = CacheLevel.MEMORY_AND_DISK.name();
  private static final Logger LOG = LoggerFactory.getLogger(CacheLevels.class);
  /** How long to wait for Spark's listener queues; only a stalled driver takes this long. */
  private static final long REPORTS_MILLIS = 60_000;

  private CacheLevels() {
  }

  /** Spark's storage level by name: see {@link CacheLevel#parse}. */
  public static StorageLevel parse(String name) {
    return CacheLevel.parse(name).storageLevel();
  }

  /** Where a cached RDD's blocks are now: bytes in memory and on disk. */
  public record Placement(String level, long memoryBytes, long diskBytes, int cachedPartitions,
      int partitions) {

    public String describe() {
      String rest = cachedPartitions < partitions && level.startsWith("MEMORY_ONLY")
          ? "; the other partitions are read again from the input at every pass" : "";
      return String.format(Locale.ROOT, "%s: %d of %d partitions cached, %s in memory, %s on "
          + "local disk%s", level, cachedPartitions, partitions, mb(memoryBytes),
          mb(diskBytes), rest);
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
