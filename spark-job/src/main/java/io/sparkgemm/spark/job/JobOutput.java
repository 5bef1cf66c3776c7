package io.sparkgemm.spark.job;

import java.util.Map;

/**
 * Where a {@link LayerJob} writes and what it may write: the output folder, whether it may
 * replace a previous spark-gemm output there, whether gradients holding NaN or ±Inf are written
 * (else the job fails, naming the first such value, and writes nothing), and the inputs its
 * report.json names. Built by name: {@code JobOutput.to(dir).overwrite(true)}.
 */
public final class JobOutput {
  private final String dir;
  private boolean overwrite;
  private boolean allowNonFinite;
  private Map<String, Object> inputs = Map.of();

  private JobOutput(String dir) {
    this.dir = dir;
  }

  /** Output to {@code dir}, refusing an existing one, finite gradients only, no inputs named. */
  public static JobOutput to(String dir) {
    return new JobOutput(dir);
  }

  public JobOutput overwrite(boolean value) {
    overwrite = value;
    return this;
  }

  public JobOutput allowNonFinite(boolean value) {
    allowNonFinite = value;
    return this;
  }

  /** What report.json says the job read (name to path or description). */
  public JobOutput inputs(Map<String, Object> value) {
    inputs = value;
    return this;
  }

  public String dir() {
    return dir;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public boolean allowNonFinite() {
    return allowNonFinite;
  }

  public Map<String, Object> inputs() {
    return inputs;
  }
}
