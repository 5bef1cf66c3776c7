package io.sparkgemm.cli;

import io.sparkgemm.local.backend.BackendInfo;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.Backends.BackendStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spark-gemm info}: the backends found, which one auto picks, libraries and versions. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Show the GEMM backends found, which one --backend auto picks, library files, "
        + "versions and threads.")
final class InfoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  BackendMixin backend;

  @Override
  public Integer call() {
    BackendOptions options = backend.options();
    PrintWriter out = spec.commandLine().getOut();
    out.printf("spark-gemm on Java %s (%s %s), %d cores%n", System.getProperty("java.version"),
        System.getProperty("os.name"), System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors());
    out.println("Backends:");
    String autoPick = "?";
    for (BackendStatus status : Backends.probe(options)) {
      if (status.isAvailable()) {
        BackendInfo info = status.info();
        out.printf("  %-10s available  %s%n", info.name(), info.implementation());
        out.printf("  %-10s library:   %s%n", "", info.library());
        out.printf("  %-10s version:   %s%n", "", info.version());
        out.printf("  %-10s threads:   %s%n", "", info.threads() < 0 ? "unknown" : info.threads());
      } else {
        out.printf("  %-10s unavailable: %s%n", status.name(), status.reason());
      }
      if (status.autoPick()) {
        autoPick = status.name();
      }
    }
    out.println("auto picks: " + autoPick);
    if (!options.name().equals("auto")) {
      out.println("selected: " + Backends.select(options).info().describe());
    }
    out.flush();
    return SparkGemmCli.OK;
  }
}
