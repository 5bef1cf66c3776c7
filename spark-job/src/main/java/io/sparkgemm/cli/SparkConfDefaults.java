package io.sparkgemm.cli;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option be set as a Spark property {@code spark.gemm.<option>} (e.g.
 * {@code spark.gemm.block-rows=4096}), as spark-submit users do with {@code --conf} or
 * spark-defaults.conf; spark-submit hands those to the driver as system properties. Options given
 * on the command line win.
 */
final class SparkConfDefaults implements IDefaultValueProvider {
  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option) {
      String name = option.longestName().replaceFirst("^-+", "");
      return System.getProperty("spark.gemm." + name);
    }
    return null;
  }
}
