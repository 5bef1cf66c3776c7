package io.sparkgemm.spark;

import java.util.List;

/**
 * A seeded synthetic dataset: X ~ N(0, 1) (each row from its own seeded stream, so the data do
 * not depend on partitioning), a true W ~ N(0, 1/d) and b ~ N(0, 0.25), and either regression
 * targets T = XW + b + noise·N(0, 1) or class labels argmax(XW + b).
 */
public record GenerateSpec(long rows, int features, int outputs, String task, String format,
    long seed, double noise, String out, boolean overwrite, int partitions)
    implements java.io.Serializable {
  public static final List<String> TASKS = List.of("regression", "classification");
  public static final List<String> FORMATS = List.of("parquet", "npy", "csv");

  public GenerateSpec {
    if (rows < 1 || features < 1 || outputs < 1) {
      throw new IllegalArgumentException("--rows, --features and --outputs must be >= 1, got "
          + rows + ", " + features + ", " + outputs);
    }
    if (!TASKS.contains(task)) {
      throw new IllegalArgumentException("Unknown --task '" + task + "': expected "
          + String.join(" or ", TASKS));
    }
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("Unknown --format '" + format + "': expected one of "
          + String.join(", ", FORMATS));
    }
    if (format.equals("npy") && rows * features > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("--format npy holds X in one array on the driver, at "
          + "most " + (Integer.MAX_VALUE - 8) + " values; " + rows + " x " + features
          + " is too many: use parquet");
    }
    if (task.equals("classification") && outputs < 2) {
      throw new IllegalArgumentException("classification needs --outputs >= 2 classes, got "
          + outputs);
    }
    if (partitions < 0 || noise < 0 || out == null) {
      throw new IllegalArgumentException("--partitions and --noise must be >= 0 and --out is "
          + "required");
    }
  }

  public boolean regression() {
    return task.equals("regression");
  }
}
