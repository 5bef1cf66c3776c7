package io.sparkgemm.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
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
    submitAndMatchLocal(dir.resolve("client-out"), List.of());
  }

  /** SPARK-25078: the driver started by a Worker gets the secret only in its environment. */
  @Test
  void clusterDeployModeJobWithTheSecretRuns() throws Exception {
    submitAndMatchLocal(dir.resolve("cluster-mode-out"), List.of("--deploy-mode", "cluster",
        "--conf", "spark.driver.memory=512m", "--conf", "spark.executor.memory=512m"));
  }

  /** Refused at once, with one line that says why (not after 65 s of retries and a trace). */
  @Test
  void submissionWithoutTheSecretIsRefused() throws Exception {
    Path out = dir.resolve("intruder-out");
    List<String> args = new ArrayList<>(List.of("--conf", "spark.authenticate=false"));
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    long start = System.nanoTime();
    LoopbackCluster.Result run = cluster.script("submit", args, Map.of(), 240);
    double seconds = (System.nanoTime() - start) / 1e9;
    outputs.add(run.output());

    assertThat(run.timedOut()).as(run.output()).isFalse();
    assertThat(run.code()).as(run.output()).isEqualTo(2);
    assertThat(seconds).as("seconds to refuse; output:%n%s", run.output()).isLessThan(30);
    assertThat(run.output().lines().filter(l -> l.contains("error:"))).as(run.output())
        .singleElement().satisfies(l -> assertThat(l).startsWith("error: ")
            .contains("spark://127.0.0.1:27177", "requires authentication",
                "spark.authenticate.secret"));
    assertThat(run.output()).as(run.output()).doesNotContain("\tat ", "Exception");
    assertThat(Files.exists(out)).isFalse();
    String masterLog = Files.readString(cluster.dir.resolve("logs/master.log"));
    assertThat(masterLog).doesNotContain("Registering app spark-gemm backward");
  }

  /** Another secret: refused at once too, and said so. */
  @Test
  void submissionWithAnotherSecretIsRefused() throws Exception {
    Path out = dir.resolve("wrong-secret-out");
    List<String> args = new ArrayList<>(List.of("--conf",
        "spark.authenticate.secret=not-the-cluster-secret"));
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    long start = System.nanoTime();
    LoopbackCluster.Result run = cluster.script("submit", args, Map.of(), 240);
    double seconds = (System.nanoTime() - start) / 1e9;
    outputs.add(run.output());

    assertThat(run.code()).as(run.output()).isEqualTo(2);
    assertThat(seconds).as("seconds to refuse; output:%n%s", run.output()).isLessThan(30);
    assertThat(run.output().lines().filter(l -> l.contains("error:"))).as(run.output())
        .singleElement().satisfies(l -> assertThat(l).startsWith("error: ")
            .contains("refused this job's authentication", "spark.authenticate.secret"));
    assertThat(run.output()).as(run.output()).doesNotContain("\tat ", "Exception");
    assertThat(Files.exists(out)).isFalse();
  }

  /** The loopback cluster's secret goes with a master URL that names it by localhost too. */
  @Test
  void localhostMasterUrlGetsTheSecret() throws Exception {
    submitAndMatchLocal(dir.resolve("localhost-out"),
        List.of("--master", "spark://localhost:27177"));
  }

  /** scripts/submit with {@code options}, then the backward job: it succeeds with local bits. */
  private static void submitAndMatchLocal(Path out, List<String> options) throws Exception {
    List<String> args = new ArrayList<>(options);
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    LoopbackCluster.Result run = cluster.script("submit", args, Map.of(), 300);
    outputs.add(run.output());

    assertThat(run.code()).as(run.output()).isZero();
    ClusterFixtures.assertSameBits(local, out);
  }

  /**
   * The Master's web UI has no login, so it must not kill: a POST to /app/kill and /driver/kill
   * from a client without the secret leaves a running cluster-mode job alone, and it ends with
   * its normal result.
   */
  @Test
  void theMasterUiDoesNotKillApplicationsOrDrivers() throws Exception {
    Path out = dir.resolve("kill-out");
    List<String> args = new ArrayList<>(List.of("--deploy-mode", "cluster",
        "--conf", "spark.driver.memory=512m", "--conf", "spark.executor.memory=512m",
        "--conf", "spark.executorEnv.SPARK_GEMM_DEBUG_BLOCK_DELAY_MS=4000"));
    args.addAll(ClusterFixtures.backward(x, out, BLOCK_ROWS));
    LoopbackCluster.Run job = cluster.start("submit", args, Map.of());

    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String ui = "http://127.0.0.1:28180";
    String appId = null;
    String driverId = null;
    String seen = "";
    long deadline = System.nanoTime() + 180_000_000_000L;
    while ((appId == null || driverId == null) && System.nanoTime() < deadline
        && job.process().isAlive()) {
      seen = http.send(HttpRequest.newBuilder(URI.create(ui + "/json/")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      JsonNode state = new ObjectMapper().readTree(seen);
      for (JsonNode app : state.path("activeapps")) {
        if (app.path("name").asText().contains("backward")
            && "RUNNING".equals(app.path("state").asText())) {
          appId = app.path("id").asText();
        }
      }
      for (JsonNode driver : state.path("activedrivers")) {
        driverId = driver.path("id").asText();
      }
      Thread.sleep(200);
    }
    assertThat(appId).as("the job's application and driver show on the Master UI:%n%s", seen)
        .isNotNull();
    assertThat(driverId).as(seen).isNotNull();
    List<Integer> codes = new ArrayList<>();
    for (String kill : List.of("/app/kill/?id=" + appId + "&terminate=true",
        "/driver/kill/?id=" + driverId + "&terminate=true")) {
      codes.add(http.send(HttpRequest.newBuilder(URI.create(ui + kill))
          .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode());
    }
    LoopbackCluster.Result run = job.finish(300);
    outputs.add(run.output());

    assertThat(codes).as("kill requests answered").noneMatch(c -> c >= 200 && c < 400);
    assertThat(run.code()).as(run.output()).isZero();
    ClusterFixtures.assertSameBits(local, out);
    String masterLog = Files.readString(cluster.dir.resolve("logs/master.log"));
    assertThat(masterLog).doesNotContain("Asked to kill driver " + driverId);
  }

  /** Nor does it decommission Workers (POST /workers/kill, allowed from loopback by default). */
  @Test
  void theMasterUiDoesNotDecommissionWorkers() throws Exception {
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String ui = "http://127.0.0.1:28180";
    int code = http.send(HttpRequest.newBuilder(URI.create(ui + "/workers/kill/?host=127.0.0.1"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    Thread.sleep(2000);
    JsonNode state = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
        URI.create(ui + "/json/")).build(), HttpResponse.BodyHandlers.ofString()).body());

    assertThat(code).as("decommission request answered").isGreaterThanOrEqualTo(400);
    List<String> workers = new ArrayList<>();
    state.path("workers").forEach(w -> workers.add(w.path("state").asText()));
    assertThat(workers).containsExactly("ALIVE", "ALIVE");
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
