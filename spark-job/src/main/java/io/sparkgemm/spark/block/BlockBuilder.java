package io.sparkgemm.spark.block;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadInputException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.Arrays;

/**
 * Stacks rows into {@link LabeledBlock}s of at most {@code blockRows} rows, each one contiguous
 * array. Used inside a partition (no shuffle), for every input format. Checks every
 * row's length and values as it goes, naming the row id of the first offender.
 */
public final class BlockBuilder {
  private final DType dtype;
  private final int numFeatures;
  private final int blockRows;
  private final LabelKind labelKind;
  private final int labelWidth;
  private final String source;
  private final String labelSource;
  private final boolean allowNonFinite;

  private int count;
  private long[] ids;
  private double[] x64;
  private float[] x32;
  private double[] targets;
  private int[] classes;
  private double[] upstream;

  /**
   * @param labelWidth k for targets or an upstream gradient; ignored otherwise
   * @param source the input's name, for error messages
   */
  public BlockBuilder(DType dtype, int numFeatures, int blockRows, LabelKind labelKind,
      int labelWidth, String source, boolean allowNonFinite) {
    this(dtype, numFeatures, blockRows, labelKind, labelWidth, source, source, allowNonFinite);
  }

  /** @param labelSource where the labels or G come from, for their error messages */
  public BlockBuilder(DType dtype, int numFeatures, int blockRows, LabelKind labelKind,
      int labelWidth, String source, String labelSource, boolean allowNonFinite) {
    this.labelSource = labelSource;
    this.allowNonFinite = allowNonFinite;
    this.dtype = dtype;
    this.numFeatures = numFeatures;
    this.blockRows = blockRows;
    this.labelKind = labelKind;
    this.labelWidth = labelWidth;
    this.source = source;
  }

  /** Adds one row; {@code features} has {@code numFeatures} values starting at {@code offset}. */
  public void add(long id, double[] features, int offset, int length) {
    int base = addSlot(id, length);
    checkFinite(source, features, offset, length, "features");
    if (dtype == DType.FLOAT64) {
      System.arraycopy(features, offset, x64, base, numFeatures);
    } else {
      for (int j = 0; j < numFeatures; j++) {
        x32[base + j] = (float) features[offset + j];
      }
    }
  }

  /**
   * Starts row {@code id} with {@code length} features (refused unless d) and returns where its
   * d values go in {@link #doubles()} or {@link #floats()}, whichever the dtype fills: for
   * columnar reads, which write them in place, check them ({@link #checkFeatures}) and end the
   * row with {@link #endRow}.
   */
  public int addSlot(long id, int length) {
    if (length != numFeatures) {
      throw new IllegalArgumentException(source + ": row id " + id + " has " + length
          + " features but the first row has " + numFeatures + " (rows must all have the same "
          + "length)");
    }
    if (count == 0) {
      start();
    }
    if (count == ids.length) {
      grow();
    }
    ids[count] = id;
    return count * numFeatures;
  }

  /** The float64 block being filled (see {@link #addSlot}); valid until the next row. */
  public double[] doubles() {
    return x64;
  }

  /** The float32 block being filled (see {@link #addSlot}); valid until the next row. */
  public float[] floats() {
    return x32;
  }

  /**
   * Refuses NaN and ±Inf among the float64 features written at {@code base} (as {@link #add}
   * does); float32 blocks must be checked before the cast, which may overflow.
   */
  public void checkFeatures(int base) {
    checkFinite(source, x64, base, numFeatures, "features");
  }

  /**
   * Where the current row's k targets go in {@link #targetValues()}, after the check of their
   * count; check them with {@link #checkTargets}.
   */
  public int targetsSlot(int length) {
    checkLabelLength("targets", length);
    return count * labelWidth;
  }

  /** The targets being filled (see {@link #targetsSlot}). */
  public double[] targetValues() {
    return targets;
  }

  /** Refuses NaN and ±Inf among the targets written at {@code base}. */
  public void checkTargets(int base) {
    checkFinite(labelSource, targets, base, labelWidth, "targets");
  }

  public void setTargets(double[] values, int offset, int length) {
    checkLabelLength("targets", length);
    checkFinite(labelSource, values, offset, length, "targets");
    System.arraycopy(values, offset, targets, count * labelWidth, labelWidth);
  }

  public void setUpstream(double[] values, int offset, int length) {
    checkLabelLength("upstream gradient", length);
    checkFinite(labelSource, values, offset, length, "upstream gradient");
    System.arraycopy(values, offset, upstream, count * labelWidth, labelWidth);
  }

  public void setClass(int label) {
    classes[count] = label;
  }

  /** Completes the row added last; true when the block is now full. */
  public boolean endRow() {
    count++;
    return count == blockRows;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The block of the rows added since the last build (full or not); starts a new one. */
  public LabeledBlock build() {
    if (count == 0) {
      throw new IllegalStateException("No rows to build a block from");
    }
    return flush();
  }

  /** Refuses NaN and ±Inf unless they were allowed, naming the row id and the column. */
  private void checkFinite(String from, double[] values, int offset, int length, String what) {
    if (allowNonFinite) {
      return;
    }
    for (int j = 0; j < length; j++) {
      double v = values[offset + j];
      if (!Double.isFinite(v)) {
        throw nonFinite(from, ids[count], v, what, j);
      }
    }
  }

  /** The refusal of a non-finite value {@code v} in column {@code j} of row {@code id}. */
  public static IllegalArgumentException nonFinite(String from, long id, double v, String what,
      int j) {
    return new BadInputException(from + ": row id " + id + " has " + v + " in " + what
        + " column " + j + " (non-finite values are refused; pass ", param("allowNonFinite"),
        " to let them through)");
  }

  private void checkLabelLength(String what, int length) {
    if (length != labelWidth) {
      throw new IllegalArgumentException(labelSource + ": row id " + ids[count] + " has "
          + length + " " + what + " values but " + labelWidth + " were expected (one per output)");
    }
  }

  /** Rows allocated for a new block: all of them, or up to 4096 at first for big blocks. */
  private static final int FIRST_ROWS = 4096;

  private void start() {
    allocate(Math.min(blockRows, FIRST_ROWS));
  }

  /** Doubles the rows held (up to blockRows): a big --block-rows costs only the rows that come. */
  private void grow() {
    allocate((int) Math.min(blockRows, 2L * ids.length));
  }

  private void allocate(int rows) {
    ids = ids == null ? new long[rows] : Arrays.copyOf(ids, rows);
    if (dtype == DType.FLOAT64) {
      x64 = resize(x64, rows * numFeatures);
    } else {
      x32 = x32 == null ? new float[rows * numFeatures] : Arrays.copyOf(x32,
          rows * numFeatures);
    }
    switch (labelKind) {
      case TARGETS: targets = resize(targets, rows * labelWidth); break;
      case CLASSES: classes = classes == null ? new int[rows]
          : Arrays.copyOf(classes, rows); break;
      case UPSTREAM: upstream = resize(upstream, rows * labelWidth); break;
      default: break;
    }
  }

  private static double[] resize(double[] a, int length) {
    return a == null ? new double[length] : Arrays.copyOf(a, length);
  }

  private LabeledBlock flush() {
    int n = count;
    DenseBlock x = dtype == DType.FLOAT64
        ? DenseBlock.ofDoubles(n, numFeatures, trim(x64, n * numFeatures))
        : DenseBlock.ofFloats(n, numFeatures, trim(x32, n * numFeatures));
    x = x.withRowIds(n == ids.length ? ids : Arrays.copyOf(ids, n));
    DenseBlock t = targets == null ? null
        : DenseBlock.ofDoubles(n, labelWidth, trim(targets, n * labelWidth));
    int[] c = classes == null ? null
        : (n == classes.length ? classes : Arrays.copyOf(classes, n));
    DenseBlock g = null;
    if (upstream != null) {
      g = DenseBlock.ofDoubles(n, labelWidth, trim(upstream, n * labelWidth));
      if (dtype == DType.FLOAT32) {
        g = g.toDType(DType.FLOAT32);
      }
    }
    LabeledBlock block = new LabeledBlock(x, t, c, g);
    count = 0;
    ids = null;
    x64 = null;
    x32 = null;
    targets = null;
    classes = null;
    upstream = null;
    return block;
  }

  private static double[] trim(double[] a, int length) {
    return a.length == length ? a : Arrays.copyOf(a, length);
  }

  private static float[] trim(float[] a, int length) {
    return a.length == length ? a : Arrays.copyOf(a, length);
  }

  /** Refuses a class id outside 0..k-1, naming where it comes from and its row id. */
  public static void checkClass(String source, int label, long id, int numClasses) {
    if (label < 0 || label >= numClasses) {
      throw new IllegalArgumentException(source + ": Class label " + label + " at row id " + id
          + " is out of range: W has k = " + numClasses + " outputs, so labels must be in 0.."
          + (numClasses - 1));
    }
  }
}
