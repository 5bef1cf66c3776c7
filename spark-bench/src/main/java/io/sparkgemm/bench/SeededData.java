package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The benchmark's data, defined row by row from a seed: row r of X, of the upstream gradient G
 * and its class label depend only on (seed, r), so every contender can build its own preferred
 * form (blocks, rows, 1024 x 1024 tiles, a DataFrame) with any partitioning and get the same
 * numbers. X and G are uniform in [-1, 1), rounded to float32 values when {@code dtype} is
 * float32 (so float64 contenders such as MLlib see exactly the values a float32 block holds);
 * labels are uniform in [0, k) (every class appears).
 */
public record SeededData(Shape shape, DType dtype, long seed) implements Serializable {
  private static final long X_STREAM = 0x5851F42D4C957F2DL;
  private static final long G_STREAM = 0x14057B7EF767814FL;
  private static final long LABEL_STREAM = 0x2545F4914F6CDD1DL;

  /** Writes row r of X (d values) into {@code out} from {@code offset}. */
  public void xRow(long r, double[] out, int offset) {
    SplittableRandom random = new SplittableRandom(seed * X_STREAM + r);
    for (int c = 0; c < shape.d(); c++) {
      out[offset + c] = round(random.nextDouble(-1, 1));
    }
  }

  /** Writes row r of G (k values, scaled by 1/n like a mean loss) into {@code out}. */
  public void gRow(long r, double[] out, int offset) {
    SplittableRandom random = new SplittableRandom(seed * G_STREAM + r);
    double scale = 1.0 / shape.n();
    for (int c = 0; c < shape.k(); c++) {
      out[offset + c] = round(random.nextDouble(-1, 1) * scale);
    }
  }

  private double round(double v) {
    return dtype == DType.FLOAT32 ? (float) v : v;
  }

  /** The class label of row r, in [0, k); rows 0..k-1 take each class once, so all appear. */
  public int label(long r) {
    if (r < shape.k()) {
      return (int) r;
    }
    return new SplittableRandom(seed * LABEL_STREAM + r).nextInt(shape.k());
  }

  /** Rows [from, to) of X as a block of {@code dtype} with their row ids. */
  public DenseBlock xBlock(long from, long to) {
    return block(from, to, shape.d(), false);
  }

  /** Rows [from, to) of G as a block of {@code dtype} with their row ids. */
  public DenseBlock gBlock(long from, long to) {
    return block(from, to, shape.k(), true);
  }

  /** Bytes of X in its raw dense form: n·d·(8 or 4). */
  public long rawBytes() {
    return shape.n() * shape.d() * (long) dtype.bytes();
  }

  /** Labels of rows [from, to). */
  public int[] labels(long from, long to) {
    int[] labels = new int[Math.toIntExact(to - from)];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = label(from + i);
    }
    return labels;
  }

  private DenseBlock block(long from, long to, int cols, boolean gradient) {
    int rows = Math.toIntExact(to - from);
    double[] values = new double[rows * cols];
    long[] ids = new long[rows];
    for (int i = 0; i < rows; i++) {
      ids[i] = from + i;
      if (gradient) {
        gRow(from + i, values, i * cols);
      } else {
        xRow(from + i, values, i * cols);
      }
    }
    DenseBlock block = DenseBlock.ofDoubles(rows, cols, values);
    return (dtype == DType.FLOAT64 ? block : block.toDType(dtype)).withRowIds(ids);
  }

  /**
   * This data's blocks for {@link BenchInputs#cache}: X, with the class labels and the upstream
   * gradient G when asked.
   */
  public BenchInputs.Recipe recipe(boolean withLabels, boolean withUpstream) {
    return new Recipe(this, withLabels, withUpstream);
  }

  private record Recipe(SeededData data, boolean withLabels, boolean withUpstream)
      implements BenchInputs.Recipe {
    @Override
    public DenseBlock x(long from, long to) {
      return data.xBlock(from, to);
    }

    @Override
    public int[] classes(long from, long to) {
      return withLabels ? data.labels(from, to) : null;
    }

    @Override
    public DenseBlock upstream(long from, long to) {
      return withUpstream ? data.gBlock(from, to) : null;
    }
  }
}
