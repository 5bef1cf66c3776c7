package io.sparkgemm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spark-gemm on a real multi-process standalone cluster on 127.0.0.1 (a Master, two Workers,
 * executors in their own JVMs), submitted through scripts/submit.
 */
@Tag("cluster")
class ClusterIT {
  static final int ROWS = 24_000;
  static final int BLOCK_ROWS = 1000;

  @TempDir
  static Path dir;
  static LoopbackCluster cluster;
  static Path x;
  static Path local;
  static List<Long> pids = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    x = ClusterFixtures.generate(dir, ROWS);
    local = dir.resolve("local");
    ClusterFixtures.localReference(x, local, BLOCK_ROWS);
    cluster = new LoopbackCluster(dir.resolve("cluster"), 27077, 28080);
    LoopbackCluster.Result started = cluster.script("cluster.sh", List.of("start", "2"),
        Map.of(), 240);
    assertThat(started.code()).as(started.output()).isZero();
    for (Path pidFile : cluster.pidFiles()) {
      pids.add(Long.parseLong(Files.readString(pidFile).trim()));
    }
    assertThat(pids).hasSize(3);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster == null) {
      return;
    }
    LoopbackCluster.Result stopped = cluster.script("cluster.sh", List.of("stop"), Map.of(), 120);
    assertThat(stopped.code()).as(stopped.output()).isZero();
    assertThat(cluster.pidFiles()).as("PID files left behind").isEmpty();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("process %d still running", pid).isFalse();
    }
  }

  @Test
  void backwardOnTwoWorkersEqualsLocalModeBitForBit() throws Exception {
    Path out = dir.resolve("cluster-out");
    LoopbackCluster.Result run = cluster.script("submit",
        ClusterFixtures.backward(x, out, BLOCK_ROWS), Map.of(), 300);

    assertThat(run.code()).as(run.output()).isZero();
    ClusterFixtures.assertSameBits(local, out);
  }

  @Test
  void aNetworkTrainedInMinibatchesOnTwoWorkersEqualsLocalModeBitForBit() throws Exception {
    Path localNet = dir.resolve("net-local");
    List<String> localArgs = new ArrayList<>(ClusterFixtures.trainNetwork(x, localNet,
        BLOCK_ROWS));
    localArgs.addAll(List.of("--master", "local[1]"));
    ClusterFixtures.cli(localArgs.toArray(new String[0]));
    Path clusterNet = dir.resolve("net-cluster");
    LoopbackCluster.Result run = cluster.script("submit",
        ClusterFixtures.trainNetwork(x, clusterNet, BLOCK_ROWS), Map.of(), 300);

    assertThat(run.code()).as(run.output()).isZero();
    for (String file : List.of("W0.npy", "b0.npy", "W1.npy", "b1.npy")) {
      assertThat(Files.readAllBytes(clusterNet.resolve(file)))
          .as(file + " trained on the cluster equals local mode's byte for byte")
          .isEqualTo(Files.readAllBytes(localNet.resolve(file)));
    }
  }

  @Test
  void killingAnExecutorMidPassLosesTasksButNotTheResult() throws Exception {
    Path out = dir.resolve("fault-out");
    List<String> args = new ArrayList<>(List.of("--conf",
        "spark.executorEnv.SPARK_GEMM_DEBUG_BLOCK_DELAY_MS=400"));
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    LoopbackCluster.Run run = cluster.start("submit", args, Map.of());

    long victim = waitForDelayedExecutor(run, 180);
    ProcessHandle.of(victim).orElseThrow().destroyForcibly();
    LoopbackCluster.Result result = run.finish(300);

    assertThat(result.code()).as(result.output()).isZero();
    assertThat(result.output()).as("the driver said it lost the executor")
        .contains("Lost executor");
    assertThat(cluster.driverLogs()).as("the driver's log has its tasks lost")
        .contains("ExecutorLostFailure");
    ClusterFixtures.assertSameBits(local, out);
  }

  /** The pid of an executor that is inside the slowed-down pass. */
  private static long waitForDelayedExecutor(LoopbackCluster.Run run, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      assertThat(run.process().isAlive()).as("the job ended before an executor could be "
          + "killed:\n" + Files.readString(run.output())).isTrue();
      Optional<Long> pid = delayedExecutor();
      if (pid.isPresent()) {
        return pid.get();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no executor entered the pass within " + seconds + " s");
  }

  /** Executor stderr files are work-N/app-ID/EXEC/stderr; match the log line to the process. */
  private static Optional<Long> delayedExecutor() throws IOException {
    try (Stream<Path> files = Files.walk(cluster.dir, 4)) {
      for (Path stderr : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        if (!Files.readString(stderr).contains("spark-gemm debug delay")) {
          continue;
        }
        String executorId = stderr.getParent().getFileName().toString();
        String appId = stderr.getParent().getParent().getFileName().toString();
        Optional<ProcessHandle> executor = ProcessHandle.allProcesses().filter(p -> {
          String line = String.join(" ", p.info().arguments().orElse(new String[0]));
          return line.contains("CoarseGrainedExecutorBackend")
              && line.contains("--executor-id " + executorId)
              && line.contains("--app-id " + appId);
        }).findFirst();
        if (executor.isPresent()) {
          return Optional.of(executor.get().pid());
        }
      }
    }
    return Optional.empty();
  }
}
