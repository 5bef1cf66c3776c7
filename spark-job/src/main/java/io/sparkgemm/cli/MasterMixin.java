package io.sparkgemm.cli;

import picocli.CommandLine.Option;

/** The Spark master option of every command that starts Spark. */
public final class MasterMixin {

  @Option(names = "--master", defaultValue = "${sys:spark.master:-local[*]}", paramLabel = "URL",
      description = "Spark master. Default: ${DEFAULT-VALUE}.")
  String master;

  /** The Spark master URL given (or defaulted) on the command line. */
  public String master() {
    return master;
  }
}
