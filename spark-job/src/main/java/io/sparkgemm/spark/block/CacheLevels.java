package io.sparkgemm.spark.block;

import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;

/** Where cached blocks are (memory, disk), and the storage level by name. */
public final class CacheLevels {
  public static final String DEFAULT = CacheLevel.MEMORY_AND_DISK.name();

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
    for (RDDInfo info : r.context().getRDDStorageInfo()) {
      if (info.id() == r.id()) {
        return new Placement(level, info.memSize(), info.diskSize(), info.numCachedPartitions(),
            info.numPartitions());
      }
    }
    return new Placement(level, 0, 0, 0, rdd.getNumPartitions());
  }
}
