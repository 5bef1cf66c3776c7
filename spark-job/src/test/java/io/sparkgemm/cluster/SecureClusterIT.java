package io.sparkgemm.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loopback cluster with authentication on (scripts/cluster.sh start 2 --secure). */
@Tag("cluster")
class SecureClusterIT {
  static final int BLOCK_ROWS = 2000;

  @TempDir
  static Path dir;
  static LoopbackCluster cluster;
  static Path x;
  static Path local;
  static String secret;
  static List<String> outputs = new ArrayList<>();

  @BeforeAll
  static void startSecureCluster() throws Exception {
    x = ClusterFixtures.generate(dir, 8000);
    local = dir.resolve("local");
    ClusterFixtures.localReference(x, local, BLOCK_ROWS);
    cluster = new LoopbackCluster(dir.resolve("cluster"), 27177, 28180);
    LoopbackCluster.Result started = cluster.script("cluster.sh",
        List.of("start", "2", "--secure"), Map.of(), 240);
    assertThat(started.code()).as(started.output()).isZero();
    outputs.add(started.output());
    Path secretFile = cluster.dir.resolve("secret");
    assertThat(Files.getPosixFilePermissions(secretFile))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    secret = Files.readString(secretFile).trim();
    assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster == null) {
      return;
    }
    LoopbackCluster.Result stopped = cluster.script("cluster.sh", List.of("stop"), Map.of(), 120);
    assertThat(stopped.code()).as(stopped.output()).isZero();
    assertThat(cluster.pidFiles()).isEmpty();
    outputs.add(stopped.output());
    assertThat(outputs).as("no script printed the secret")
        .allSatisfy(o -> assertThat(o).doesNotContain(secret));
  }

  @Test
  void clientModeJobWithTheSecretRuns() throws Exception {
    Path out = dir.resolve("client-out");
    LoopbackCluster.Result run = cluster.script("submit",
        ClusterFixtures.backward(x, out, BLOCK_ROWS), Map.of(), 300);
    outputs.add(run.output());

    assertThat(run.code()).as(run.output()).isZero();
    ClusterFixtures.assertSameBits(local, out);
  }

  /** SPARK-25078: the driver started by a Worker gets the secret only in its environment. */
  @Test
  void clusterDeployModeJobWithTheSecretRuns() throws Exception {
    Path out = dir.resolve("cluster-mode-out");
    List<String> args = new ArrayList<>(List.of("--deploy-mode", "cluster",
        "--conf", "spark.driver.memory=512m", "--conf", "spark.executor.memory=512m"));
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    LoopbackCluster.Result run = cluster.script("submit", args, Map.of(), 300);
    outputs.add(run.output());

    assertThat(run.code()).as(run.output()).isZero();
    ClusterFixtures.assertSameBits(local, out);
  }

  @Test
  void submissionWithoutTheSecretIsRefused() throws Exception {
    Path out = dir.resolve("intruder-out");
    List<String> args = new ArrayList<>(List.of("--conf", "spark.authenticate=false"));
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    LoopbackCluster.Result run = cluster.script("submit", args, Map.of(), 240);
    outputs.add(run.output());

    assertThat(run.timedOut()).as(run.output()).isFalse();
    assertThat(run.code()).as(run.output()).isNotZero();
    assertThat(Files.exists(out)).isFalse();
    String masterLog = Files.readString(cluster.dir.resolve("logs/master.log"));
    assertThat(masterLog).doesNotContain("Registering app spark-gemm backward");
  }

  @Test
  void restSubmissionPortIsClosed() {
    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", 6066), 2000);
      }
    }).isInstanceOf(ConnectException.class);
  }
}
