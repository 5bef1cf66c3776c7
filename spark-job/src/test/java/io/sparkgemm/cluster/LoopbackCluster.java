package io.sparkgemm.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Drives scripts/cluster.sh and scripts/submit for the cluster tests, on ports of its own. */
final class LoopbackCluster {
  final Path root;
  final Path dir;
  final Map<String, String> env = new HashMap<>();

  LoopbackCluster(Path dir, int masterPort, int uiPort) {
    this(projectRoot(), dir, masterPort, uiPort);
  }

  /** The scripts of the project at {@code root}; the Spark home from the test classpath. */
  LoopbackCluster(Path root, Path dir, int masterPort, int uiPort) {
    this.root = root;
    this.dir = dir;
    env.put("SPARK_GEMM_CLUSTER_DIR", dir.toString());
    env.put("SPARK_GEMM_MASTER_PORT", Integer.toString(masterPort));
    env.put("SPARK_GEMM_MASTER_UI_PORT", Integer.toString(uiPort));
    env.put("SPARK_GEMM_WORKER_MEMORY", "1500m");
    env.put("SPARK_GEMM_LOG_DIR", dir.resolve("driver-logs").toString());
    env.put("SPARK_GEMM_SPARK_JARS", System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
  }

  /** The project root: failsafe runs in the spark-job module folder. */
  static Path projectRoot() {
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return Files.exists(here.resolve("scripts/cluster.sh")) ? here : here.getParent();
  }

  Result script(String name, List<String> args, Map<String, String> extraEnv, int timeoutSeconds)
      throws IOException, InterruptedException {
    return start(name, args, extraEnv).finish(timeoutSeconds);
  }

  /** Starts a script with its output going to a file of its own. */
  Run start(String name, List<String> args, Map<String, String> extraEnv) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("scripts").resolve(name).toString());
    command.addAll(args);
    Files.createDirectories(dir);
    Path output = Files.createTempFile(dir, name + "-", ".out");
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().putAll(env);
    builder.environment().putAll(extraEnv);
    return new Run(builder.start(), output);
  }

  /** A running script. */
  record Run(Process process, Path output) {
    Result finish(int timeoutSeconds) throws IOException, InterruptedException {
      boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      return new Result(done ? process.exitValue() : -1,
          Files.readString(output, StandardCharsets.UTF_8), !done);
    }
  }

  /** Exit code and output of a script run. */
  record Result(int code, String output, boolean timedOut) {
  }

  /** The text of the driver logs scripts/submit wrote (client mode), one file per run. */
  String driverLogs() throws IOException {
    Path logs = dir.resolve("driver-logs");
    if (!Files.isDirectory(logs)) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path file : files.sorted().toList()) {
        text.append(Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    return text.toString();
  }

  List<Path> pidFiles() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList();
    }
  }
}
