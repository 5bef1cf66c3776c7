package io.sparkgemm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.cli.SparkGemmCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * spark-gemm's commands run as a user runs them: the CLI's own parsing, checks and code paths,
 * timed by the wall clock around the command, with the command's report.json. In this JVM the
 * command uses the bench's Spark session; in a JVM of its own it starts everything (the JVM, Spark,
 * the backend) as {@code scripts/spark-gemm} does, with this JVM's options and classpath.
 */
final class CliRuns {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CliRuns() {
  }

  /**
   * One run: wall seconds around the command and its report.json.
   *
   * @param wallSeconds from the call to the command's exit (in a JVM of its own: the JVM's start
   *     and exit included)
   */
  record Result(double wallSeconds, JsonNode report) {
    /** report.json's {@code seconds.<name>}. */
    double seconds(String name) {
      JsonNode s = report.path("seconds").path(name);
      if (!s.isNumber()) {
        throw new IllegalStateException("report.json has no seconds." + name + ": " + report);
      }
      return s.asDouble();
    }
  }

  /** Runs {@code args} (a command and its options, without --out) in this JVM into {@code out}. */
  static Result inThisJvm(List<String> args, String outFolder) {
    Path out = Path.of(outFolder);
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int code = SparkGemmCli.run(withOut(args, out).toArray(new String[0]),
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    double seconds = (System.nanoTime() - start) / 1e9;
    check(args, code, stderr.toString(StandardCharsets.UTF_8));
    return new Result(seconds, report(out));
  }

  /**
   * Runs {@code args} in a JVM of its own (this JVM's java, options and classpath) on
   * {@code master}, its console in {@code out}'s sibling {@code NAME.console}.
   */
  static Result inOwnJvm(List<String> args, String outFolder, String master) {
    Path out = Path.of(outFolder);
    List<String> all = withOut(args, out);
    all.addAll(List.of("--master", master));
    Path console = out.resolveSibling(out.getFileName() + ".console");
    double seconds = ownJvm(SparkGemmCli.class.getName(), all, console);
    return new Result(seconds, report(out));
  }

  /**
   * Wall seconds of {@code mainClass} run with {@code args} in a JVM of its own (this JVM's java,
   * options and classpath), its console written to {@code console}; fails with the console's tail
   * when it exits with other than 0.
   */
  static double ownJvm(String mainClass, List<String> args, Path console) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // a debugger or profiler agent of the bench is not the user's; the launcher's class
      // archive is shared (the same jars), but written by the bench's JVM alone
      if (!option.startsWith("-agentlib") && !option.startsWith("-javaagent")
          && !option.startsWith("-XX:StartFlightRecording")
          && !option.startsWith("-XX:ArchiveClassesAtExit")) {
        command.add(option);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    try {
      Files.createDirectories(console.toAbsolutePath().getParent());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(console.toFile());
      long start = System.nanoTime();
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", args) + ": no exit in 60 minutes");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      check(args, process.exitValue(), Files.readString(console, StandardCharsets.UTF_8));
      return seconds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static List<String> withOut(List<String> args, Path out) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--out", out.toString(), "--overwrite"));
    return all;
  }

  private static void check(List<String> args, int code, String console) {
    if (code != SparkGemmCli.OK) {
      String tail = console.length() > 4000 ? console.substring(console.length() - 4000)
          : console;
      throw new IllegalStateException(String.join(" ", args) + " exited with "
          + code + ":\n" + tail);
    }
  }

  private static JsonNode report(Path out) {
    try {
      return JSON.readTree(out.resolve("report.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
