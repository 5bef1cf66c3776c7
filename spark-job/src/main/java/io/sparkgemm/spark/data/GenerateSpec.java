package io.sparkgemm.spark.data;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import java.io.Serializable;
import java.util.List;

/**
 * A seeded synthetic dataset: X ~ N(0, 1) (each row from its own seeded stream, so the data do
 * not depend on partitioning), a true W ~ N(0, 1/d) and b ~ N(0, 0.25), and either regression
 * targets T = XW + b + noise·N(0, 1) or class labels argmax(XW + b).
 *
 * <p>With a teacher of h hidden units the truth is a network instead: F = relu(X W₀) W₁ + b₁ with
 * W₀ ~ N(0, 1/d) (d x h), W₁ ~ N(0, 1/h) (h x k), b₁ ~ N(0, 0.25); targets F + noise or labels
 * argmax(F). A linear model cannot fit it, a relu network of h or more units can.
 *
 * <p>Build one with {@link #builder}, which starts from the defaults below (the CLI shows the
 * same constants). {@code teacherHidden} is h, or 0 for the linear truth; {@code holdoutRows}
 * rows are written apart (X_test, labels_test, ...) after the n training rows: the same truth,
 * other rows.
 */
public final class GenerateSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final List<String> TASKS = List.of("regression", "classification");
  public static final List<String> FORMATS = List.of("parquet", "npy", "csv");

  // The defaults, each said once, as the CLI shows them; the builder starts from them.
  public static final String TASK = "regression";
  public static final String FORMAT = "parquet";
  public static final String SEED = "0";
  public static final String NOISE = "0.1";
  public static final String TEACHER_HIDDEN = "0";
  public static final String HOLDOUT_ROWS = "0";
  /** 0: chosen from the rows. */
  public static final String PARTITIONS = "0";

  private final long rows;
  private final int features;
  private final int outputs;
  private final String task;
  private final String format;
  private final long seed;
  private final double noise;
  private final String out;
  private final boolean overwrite;
  private final int partitions;
  private final int teacherHidden;
  private final long holdoutRows;

  private GenerateSpec(Builder b) {
    this.rows = b.rows;
    this.features = b.features;
    this.outputs = b.outputs;
    this.task = b.task;
    this.format = b.format;
    this.seed = b.seed;
    this.noise = b.noise;
    this.out = b.out;
    this.overwrite = b.overwrite;
    this.partitions = b.partitions;
    this.teacherHidden = b.teacherHidden;
    this.holdoutRows = b.holdoutRows;
    if (rows < 1 || features < 1 || outputs < 1) {
      throw new BadParameterException(param("numRows"), ", ", param("numFeatures"), " and ",
          param("numOutputs"), " must be >= 1, got " + rows + ", " + features + ", " + outputs);
    }
    if (!TASKS.contains(task)) {
      throw new IllegalArgumentException("Unknown task '" + task + "': expected "
          + String.join(" or ", TASKS));
    }
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("Unknown format '" + format + "': expected one of "
          + String.join(", ", FORMATS));
    }
    // .npy files are written by the executors, but their rows are counted in an int (a shape)
    if (!format.equals("parquet") && rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("The " + format + " format writes .npy files of at most "
          + Integer.MAX_VALUE + " rows; " + rows + " is too many: use parquet");
    }
    if (task.equals("classification") && outputs < 2) {
      throw new BadParameterException("classification needs ", param("numOutputs"),
          " >= 2 classes, got ", outputs);
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new BadParameterException(param("noiseStd"),
          " must be a finite standard deviation >= 0, got ", noise);
    }
    if (partitions < 0 || partitions > rows) {
      throw new BadParameterException(param("partitions"), " must be between 1 and ",
          param("numRows"), " " + rows + " (or 0 to choose), got ", partitions);
    }
    // W_true (d x k) is one array on the driver, sent with every task.
    long weights = (long) features * outputs;
    if (weights > Integer.MAX_VALUE - 8 || weights * 8 > Runtime.getRuntime().maxMemory() / 4) {
      throw new BadParameterException(param("numFeatures"), " " + features + " x ",
          param("numOutputs"), " " + outputs
          + " makes W_true " + weights + " values (" + weights * 8 / (1 << 20) + " MiB), more "
          + "than one array holds or a quarter of the driver's heap ("
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)");
    }
    if (out == null) {
      throw new BadParameterException(param("outputDir"), " is required");
    }
    if (holdoutRows < 0 || (!format.equals("parquet") && holdoutRows > Integer.MAX_VALUE)) {
      throw new BadParameterException(param("holdoutRows"), " must be >= 0 (and at most "
          + Integer.MAX_VALUE + " rows of .npy files), got " + holdoutRows);
    }
    if (teacherHidden < 0 || (long) teacherHidden * (features + outputs) > Integer.MAX_VALUE - 8) {
      throw new BadParameterException(param("teacherHidden"), " must be >= 0 (0: a linear truth) "
          + "and its weights must fit an array, got " + teacherHidden);
    }
  }

  /** A spec for n = {@code rows} rows of d = {@code features} features and k = {@code outputs}. */
  public static Builder builder(long rows, int features, int outputs) {
    return new Builder(rows, features, outputs);
  }

  /** Named settings for {@link GenerateSpec}; {@link #build()} checks them. */
  public static final class Builder {
    private final long rows;
    private final int features;
    private final int outputs;
    private String task = TASK;
    private String format = FORMAT;
    private long seed = Long.parseLong(SEED);
    private double noise = Double.parseDouble(NOISE);
    private String out;
    private boolean overwrite;
    private int partitions = Integer.parseInt(PARTITIONS);
    private int teacherHidden = Integer.parseInt(TEACHER_HIDDEN);
    private long holdoutRows = Long.parseLong(HOLDOUT_ROWS);

    private Builder(long rows, int features, int outputs) {
      this.rows = rows;
      this.features = features;
      this.outputs = outputs;
    }

    public Builder task(String value) {
      task = value;
      return this;
    }

    public Builder format(String value) {
      format = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder noise(double value) {
      noise = value;
      return this;
    }

    public Builder out(String value) {
      out = value;
      return this;
    }

    public Builder overwrite(boolean value) {
      overwrite = value;
      return this;
    }

    public Builder partitions(int value) {
      partitions = value;
      return this;
    }

    public Builder teacherHidden(int value) {
      teacherHidden = value;
      return this;
    }

    public Builder holdoutRows(long value) {
      holdoutRows = value;
      return this;
    }

    public GenerateSpec build() {
      return new GenerateSpec(this);
    }
  }

  public long rows() {
    return rows;
  }

  public int features() {
    return features;
  }

  public int outputs() {
    return outputs;
  }

  public String task() {
    return task;
  }

  public String format() {
    return format;
  }

  public long seed() {
    return seed;
  }

  public double noise() {
    return noise;
  }

  public String out() {
    return out;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public int partitions() {
    return partitions;
  }

  public int teacherHidden() {
    return teacherHidden;
  }

  public long holdoutRows() {
    return holdoutRows;
  }

  public boolean regression() {
    return task.equals("regression");
  }
}
