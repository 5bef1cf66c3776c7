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
 * @param teacherHidden h, or 0 for the linear truth
 * @param holdoutRows rows written apart (X_test, labels_test, ...) after the n training rows:
 *     the same truth, other rows
 */
public record GenerateSpec(long rows, int features, int outputs, String task, String format,
    long seed, double noise, String out, boolean overwrite, int partitions, int teacherHidden,
    long holdoutRows) implements Serializable {
  public static final List<String> TASKS = List.of("regression", "classification");
  public static final List<String> FORMATS = List.of("parquet", "npy", "csv");

  public GenerateSpec {
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

  /** A dataset with the linear truth (no teacher network). */
  public GenerateSpec(long rows, int features, int outputs, String task, String format,
      long seed, double noise, String out, boolean overwrite, int partitions) {
    this(rows, features, outputs, task, format, seed, noise, out, overwrite, partitions, 0, 0);
  }

  public boolean regression() {
    return task.equals("regression");
  }
}
