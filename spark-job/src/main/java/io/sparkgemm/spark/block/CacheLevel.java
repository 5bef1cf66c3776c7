package io.sparkgemm.spark.block;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.storage.StorageLevel;

/**
 * The Spark storage levels blocks may be cached at. MEMORY_AND_DISK keeps what fits in executor
 * storage memory and writes the rest to local disk; the MEMORY_ONLY levels read blocks that do
 * not fit again from the input at every pass. See {@link #defaultFor}.
 */
public enum CacheLevel {
  MEMORY_AND_DISK, MEMORY_AND_DISK_SER, DISK_ONLY, MEMORY_ONLY, MEMORY_ONLY_SER;

  /** The names, in order. */
  public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();

  /**
   * The level when none is asked for: MEMORY_ONLY for a .npy X, whose rows a task reads again by
   * position faster than Spark reads spilled blocks back from local disk (scripts/bench-cache.sh:
   * 0.69x the seconds per pass, and no local disk used), MEMORY_AND_DISK for Parquet and CSV,
   * whose decoding costs more than the disk.
   */
  public static CacheLevel defaultFor(boolean npy) {
    return npy ? MEMORY_ONLY : MEMORY_AND_DISK;
  }

  /** Spark's level of this name. */
  public StorageLevel storageLevel() {
    return StorageLevel.fromString(name());
  }

  /**
   * The level called {@code name}, in any case and with '-' for '_' ({@code MEMORY_AND_DISK},
   * {@code memory-and-disk}); null for {@link #MEMORY_AND_DISK}.
   */
  public static CacheLevel parse(String name) {
    if (name == null) {
      return MEMORY_AND_DISK;
    }
    String upper = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    if (!NAMES.contains(upper)) {
      throw new BadParameterException("Unknown ", param("storageLevel"), " '" + name
          + "': expected one of " + String.join(", ", NAMES));
    }
    return valueOf(upper);
  }
}
