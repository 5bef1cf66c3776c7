package io.sparkgemm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The sessions the commands open: where local mode listens, which master URLs are accepted. */
class SessionsTest {

  /** Local mode serves nobody else: every socket this JVM listens on is a loopback one. */
  @Test
  void localModeListensOnLoopbackOnly() throws IOException {
    assertThat(SparkSession.getActiveSession().isDefined()).as("no session left running")
        .isFalse();
    try (Sessions.Handle session = Sessions.open("local[1]", "SessionsTest")) {
      assertThat(session.owned()).isTrue();
      assertThat(session.spark().range(10).count()).isEqualTo(10);
      // settings for block-sized elements, and Parquet's chunk-sized vectored reads off
      assertThat(session.spark().sparkContext().hadoopConfiguration()
          .get("parquet.hadoop.vectored.io.enabled")).isEqualTo("false");
      assertThat(session.spark().conf().get("spark.serializer.objectStreamReset")).isEqualTo("1");
      // a minibatch step's gradient of megabytes comes back with its task's status
      assertThat(session.spark().conf().get("spark.task.maxDirectResultSize")).isEqualTo("16m");
      // broadcasts start with a buffer below half a G1 region, not a humongous 4 MB one
      assertThat(session.spark().conf().get("spark.broadcast.blockSize")).isEqualTo("512k");
      List<String> listening = listeningAddresses();
      assertThat(listening).as("the driver listens somewhere").isNotEmpty();
      assertThat(listening).as("addresses this JVM listens on")
          .allSatisfy(a -> assertThat(a).startsWith("loopback "));
    }
  }

  /**
   * With SPARK_LOCAL_IP=127.0.0.1 (what scripts/spark-gemm sets for local masters) the UI is on,
   * and on loopback like everything else. Spark reads the variable from the environment only, so
   * this runs in a JVM of its own.
   */
  @Test
  void withALoopbackSparkLocalIpTheUiIsOnAndOnLoopback() throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(Files.readString(Path.of("target", "launcher", "jvm-flags.txt"))
        .trim().split("\\s+")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ListeningProbe.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process probe = builder.start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(probe.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(probe.exitValue()).as(output).isZero();
    String ui = output.lines().filter(l -> l.startsWith("ui ")).findFirst().orElseThrow();
    assertThat(ui).as(output).startsWith("ui http://127.0.0.1:");
    String uiPort = ui.substring(ui.lastIndexOf(':') + 1);
    List<String> listening = output.lines().filter(l -> l.startsWith("listening ")).toList();
    assertThat(listening).as(output).contains("listening loopback 127.0.0.1:" + uiPort)
        .allSatisfy(l -> assertThat(l).startsWith("listening loopback "));
  }

  /** Opens a local session as a command would and prints its UI and listening sockets. */
  public static final class ListeningProbe {
    public static void main(String[] args) throws IOException {
      try (Sessions.Handle session = Sessions.open("local[1]", "ListeningProbe")) {
        session.spark().range(10).count();
        System.out.println("ui " + session.spark().sparkContext().uiWebUrl().getOrElse(() -> ""));
        for (String address : listeningAddresses()) {
          System.out.println("listening " + address);
        }
      }
    }
  }

  @Test
  void masterUrlsSparkCannotUseAreRefusedBeforeAnySessionStarts() {
    for (String bad : List.of("bogus://x", "local[0]", "local[-1]", "local[x]", "spark://",
        "spark://host", "local[2", "yarn-client")) {
      assertThatThrownBy(() -> Sessions.checkMaster(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--master " + bad)
          .hasMessageContaining("local[N]").hasMessageContaining("spark://HOST:PORT");
    }
    assertThat(SparkSession.getActiveSession().isDefined()).isFalse();
  }

  @Test
  void masterUrlsSparkAcceptsPass() {
    for (String good : List.of("local", "local[*]", "local[1]", "local[16]", "local[2,3]",
        "local[*, 4]", "local-cluster[2,1,1024]", "spark://127.0.0.1:7077",
        "spark://h1:7077,h2:7078", "yarn", "k8s://https://10.0.0.1:6443")) {
      assertThatCode(() -> Sessions.checkMaster(good)).as(good).doesNotThrowAnyException();
    }
  }

  /**
   * The listening TCP sockets of this process, as "loopback ADDRESS:PORT" or "other
   * ADDRESS:PORT", from /proc/net/tcp{,6} matched to the socket inodes in /proc/self/fd.
   */
  static List<String> listeningAddresses() throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException gone) {
          // closed while listing
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address HEX:PORT, f[3] state (0A = LISTEN), f[9] inode
        if (!"0A".equals(f[3]) || !inodes.contains(f[9])) {
          continue;
        }
        String[] hostPort = f[1].split(":");
        InetAddress address = InetAddress.getByAddress(procAddress(hostPort[0]));
        out.add((address.isLoopbackAddress() ? "loopback " : "other ")
            + address.getHostAddress() + ":" + Integer.parseInt(hostPort[1], 16));
      }
    }
    return out;
  }

  /** /proc/net hex addresses are 32-bit words in little-endian order. */
  private static byte[] procAddress(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int b = 0; b < 4; b++) {
        int at = word * 8 + (3 - b) * 2;
        bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    return bytes;
  }
}
