package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.spark.block.CacheLevel;
import io.sparkgemm.spark.block.Deterministic;
import io.sparkgemm.spark.block.LabelKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where X and, row-aligned with it, the labels or the upstream gradient come from, and how to
 * block it. Build one with {@link #builder(String)}; errors name the parameters as the builder
 * does. Its settings:
 *
 * <ul>
 * <li>{@code x}: path of X: Parquet (file or folder), CSV, libsvm or .npy
 * <li>{@code format}: parquet, csv, libsvm or npy; null to infer from the path
 * <li>{@code featuresCol}: the array or Vector column holding a row's features (default
 *     "features")
 * <li>{@code featuresCols}: numeric columns that together are the features (instead of
 *     featuresCol)
 * <li>{@code idCol}: column of unique row ids; null to number rows in input order from 0
 * <li>{@code labelKind}: what the loss needs besides features
 * <li>{@code labelsCol}: column with targets (number or array) or class ids, in X's dataset
 * <li>{@code labelsPath}: .npy with targets (n or n x k floats) or class ids (n ints), by row
 *     index
 * <li>{@code upstreamPath}: path of a supplied upstream gradient G (n x k), same formats as X
 * <li>{@code upstreamCol}: G's array/Vector column (default: its only array or Vector column)
 * <li>{@code dtype}: float64 or float32 blocks
 * <li>{@code blockRows}: rows per block, or 0 for a size chosen for GEMM (a few MB per block)
 * <li>{@code partitions}: number of partitions of the blocks, or 0 to keep the input's
 * <li>{@code allowNonFinite}: let NaN and ±Inf in X, labels and G through (refused by default)
 * <li>{@code deterministic}: cut blocks at multiples of the block rows by row id and sum them in
 *     fixed chunks, so results do not depend on the partitioning
 * <li>{@code storageLevel}: how the blocks are cached; null for the input's default
 *     ({@link CacheLevel#defaultFor})
 * <li>{@code csv}: how CSV inputs (X and G) are read: header and separator
 * <li>{@code numClasses}: with class labels, k (labels must be in 0..k-1, checked as they are
 *     read); 0 when not known yet (the loss checks them)
 * </ul>
 */
public final class InputSpec {

  /** Blocks per chunk with deterministic: the unit one task sums, in row-id order. */
  public static final int BLOCKS_PER_CHUNK = Deterministic.BLOCKS_PER_CHUNK;

  /** The default rows per block, as {@code --block-rows} shows it: 0, automatic. */
  public static final String BLOCK_ROWS = "0";

  /** The default partitions, as {@code --partitions} shows it: 0, the input's. */
  public static final String PARTITIONS = "0";

  /**
   * Bytes the automatic block size aims for: X's values and the Java array's header together
   * ({@link #ARRAY_HEADER_BYTES}), so that a block fills whole G1 regions.
   */
  public static final long TARGET_BLOCK_BYTES = 4L << 20;

  /**
   * What the automatic block size leaves for a Java array's header (16 bytes with compressed
   * class pointers). A block of exactly 4 MiB of values is 4 MiB and 16 bytes: G1 gave it two 4 MB
   * regions (three 2 MB ones), so the cached blocks of a power-of-two d took twice their size.
   */
  static final long ARRAY_HEADER_BYTES = 64;

  private final String x;
  private final String format;
  private final String featuresCol;
  private final List<String> featuresCols;
  private final String idCol;
  private final LabelKind labelKind;
  private final String labelsCol;
  private final String labelsPath;
  private final String upstreamPath;
  private final String upstreamCol;
  private final DType dtype;
  private final int blockRows;
  private final int partitions;
  private final boolean allowNonFinite;
  private final boolean deterministic;
  private final CacheLevel storageLevel;
  private final CsvFormat csv;
  private final int numClasses;

  private InputSpec(Builder b) {
    if (b.x == null || b.x.isBlank()) {
      throw new IllegalArgumentException("No input: x (the path of X) is missing");
    }
    if (b.numClasses < 0) {
      throw new BadParameterException(param("numClasses"), " must be >= 0, got ",
          b.numClasses);
    }
    if (b.blockRows < 0) {
      throw new BadParameterException(param("blockRows"),
          " must be >= 1 (or 0 for automatic), got ", b.blockRows);
    }
    if (b.partitions < 0) {
      throw new BadParameterException(param("partitions"),
          " must be >= 1 (or 0 to keep the input's), got ", b.partitions);
    }
    if (b.labelsCol != null && b.labelsPath != null) {
      throw new BadParameterException("Give labels either as ", param("labelsCol"), " or as ",
          param("labelsPath"), " FILE.npy, not both");
    }
    this.x = b.x;
    this.format = b.format;
    this.featuresCol = b.featuresCol;
    this.featuresCols = b.featuresCols == null ? List.of() : List.copyOf(b.featuresCols);
    this.idCol = b.idCol;
    this.labelKind = b.labelKind;
    this.labelsCol = b.labelsCol;
    this.labelsPath = b.labelsPath;
    this.upstreamPath = b.upstreamPath;
    this.upstreamCol = b.upstreamCol;
    this.dtype = b.dtype;
    this.blockRows = b.blockRows;
    this.partitions = b.partitions;
    this.allowNonFinite = b.allowNonFinite;
    this.deterministic = b.deterministic;
    this.storageLevel = b.storageLevel;
    this.csv = b.csv == null ? CsvFormat.DEFAULT : b.csv;
    this.numClasses = b.numClasses;
  }

  /**
   * A spec reading X from {@code x} with the defaults: format from the path, features from
   * the "features" column (or every numeric column), no labels, float64, automatic block
   * rows, the input's partitions, MEMORY_AND_DISK, CSV header detected and ',' separator.
   */
  public static Builder builder(String x) {
    return new Builder(x);
  }

  /** Named settings for {@link InputSpec}; {@link #build()} checks them. */
  public static final class Builder {
    private final String x;
    private String format;
    private String featuresCol;
    private List<String> featuresCols;
    private String idCol;
    private LabelKind labelKind = LabelKind.NONE;
    private String labelsCol;
    private String labelsPath;
    private String upstreamPath;
    private String upstreamCol;
    private DType dtype = DType.defaultType();
    private int blockRows = Integer.parseInt(BLOCK_ROWS);
    private int partitions = Integer.parseInt(PARTITIONS);
    private boolean allowNonFinite;
    private boolean deterministic;
    private CacheLevel storageLevel;
    private CsvFormat csv = CsvFormat.DEFAULT;
    private int numClasses;

    private Builder(String x) {
      this.x = x;
    }

    public Builder format(String value) {
      format = value;
      return this;
    }

    public Builder featuresCol(String value) {
      featuresCol = value;
      return this;
    }

    public Builder featuresCols(List<String> value) {
      featuresCols = value;
      return this;
    }

    public Builder idCol(String value) {
      idCol = value;
      return this;
    }

    /** Class ids or targets from {@code labelsCol} of X's dataset or a .npy at labelsPath. */
    public Builder labels(LabelKind kind, String labelsCol, String labelsPath) {
      this.labelKind = kind;
      this.labelsCol = labelsCol;
      this.labelsPath = labelsPath;
      return this;
    }

    /** A supplied upstream gradient G: its path and (optionally) its column. */
    public Builder upstream(String upstreamPath, String upstreamCol) {
      this.labelKind = LabelKind.UPSTREAM;
      this.upstreamPath = upstreamPath;
      this.upstreamCol = upstreamCol;
      return this;
    }

    public Builder dtype(DType value) {
      dtype = value;
      return this;
    }

    public Builder blockRows(int value) {
      blockRows = value;
      return this;
    }

    public Builder partitions(int value) {
      partitions = value;
      return this;
    }

    public Builder allowNonFinite(boolean value) {
      allowNonFinite = value;
      return this;
    }

    public Builder deterministic(boolean value) {
      deterministic = value;
      return this;
    }

    public Builder storageLevel(CacheLevel value) {
      storageLevel = value;
      return this;
    }

    public Builder csv(CsvFormat value) {
      csv = value;
      return this;
    }

    public Builder numClasses(int value) {
      numClasses = value;
      return this;
    }

    public InputSpec build() {
      return new InputSpec(this);
    }
  }

  /**
   * Partitions that may exceed the rows: a few empty partitions are harmless (Spark runs an
   * empty task in well under a millisecond), so up to this many are always allowed.
   */
  public static final int FREE_PARTITIONS = 1000;

  /**
   * Refuses more than {@link #FREE_PARTITIONS} partitions when there are fewer rows: the extra
   * ones would be empty, and each still costs a task in every pass (100,000 of them run for
   * minutes).
   */
  public void requirePartitionsAtMost(long rows) {
    if (partitions > rows && partitions > FREE_PARTITIONS) {
      throw new BadParameterException(param("partitions"), " " + partitions + " is more than the "
          + rows + " rows of " + x + ": use at most " + Math.max(rows, FREE_PARTITIONS)
          + " (or 0 to keep the input's)");
    }
  }

  /** The format of {@code path}: the given one, else from its name. */
  public static String formatOf(String path, String given) {
    if (given != null && !given.isBlank()) {
      String f = given.toLowerCase(Locale.ROOT);
      if (!List.of("parquet", "csv", "libsvm", "npy").contains(f)) {
        throw new IllegalArgumentException("Unknown input format '" + given
            + "': expected parquet, csv, libsvm or npy");
      }
      return f;
    }
    String name = Path.of(path).getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return "npy";
    }
    if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
      return "csv";
    }
    if (name.endsWith(".libsvm") || name.endsWith(".svm")) {
      return "libsvm";
    }
    return "parquet";
  }

  /** Rows per block: the given number, else about {@link #TARGET_BLOCK_BYTES} of X. */
  public int effectiveBlockRows(int numFeatures) {
    long maxRows = (Integer.MAX_VALUE - 8) / Math.max(1, numFeatures);
    if (blockRows > 0) {
      if (blockRows > maxRows) {
        throw new BadParameterException(param("blockRows"), " " + blockRows + " with "
            + numFeatures + " features makes blocks of " + (long) blockRows * numFeatures
            + " values, more than one Java array holds; use at most " + maxRows);
      }
      return blockRows;
    }
    return defaultBlockRows(numFeatures, dtype);
  }

  /**
   * The most rows whose X block, with its array header, fits in {@link #TARGET_BLOCK_BYTES}
   * (1,023 rows of 512 float64 features, 668 of 784), 16 to 65,536 rows, within one array.
   */
  public static int defaultBlockRows(int numFeatures, DType dtype) {
    long maxRows = (Integer.MAX_VALUE - 8) / Math.max(1, numFeatures);
    long rowBytes = Math.max(1L, (long) numFeatures * dtype.bytes());
    long rows = Math.max(16, Math.min(1 << 16,
        (TARGET_BLOCK_BYTES - ARRAY_HEADER_BYTES) / rowBytes));
    return (int) Math.max(1, Math.min(rows, maxRows));
  }

  public String x() {
    return x;
  }

  public String format() {
    return format;
  }

  public String featuresCol() {
    return featuresCol;
  }

  public List<String> featuresCols() {
    return featuresCols;
  }

  public String idCol() {
    return idCol;
  }

  public LabelKind labelKind() {
    return labelKind;
  }

  public String labelsCol() {
    return labelsCol;
  }

  public String labelsPath() {
    return labelsPath;
  }

  public String upstreamPath() {
    return upstreamPath;
  }

  public String upstreamCol() {
    return upstreamCol;
  }

  public DType dtype() {
    return dtype;
  }

  public int blockRows() {
    return blockRows;
  }

  public int partitions() {
    return partitions;
  }

  public boolean allowNonFinite() {
    return allowNonFinite;
  }

  public boolean deterministic() {
    return deterministic;
  }

  public CacheLevel storageLevel() {
    return storageLevel;
  }

  public CsvFormat csv() {
    return csv;
  }

  public int numClasses() {
    return numClasses;
  }
}
