package io.sparkgemm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster quick start as a new user runs it: {@code scripts/cluster.sh start} on a fresh
 * clone (no target folders) whose Maven repository holds none of spark-gemm's own artifacts, so
 * the script builds the Spark home with Maven rather than from the test classpath; then a job
 * through {@code scripts/submit} equals the local-mode run bit for bit.
 */
@Tag("cluster")
class QuickStartIT {
  static final int ROWS = 3000;
  static final int BLOCK_ROWS = 500;
  /** What a clone holds that the build reads. */
  static final List<String> CLONED = List.of("pom.xml", "mvnw", ".mvn", "scripts", "conf",
      "local-gemm", "spark-job", "spark-bench");

  @TempDir
  Path dir;

  @Test
  void startOnAFreshCloneBuildsTheSparkHomeFromTheReactor() throws Exception {
    Path clone = dir.resolve("clone");
    for (String entry : CLONED) {
      copyTree(LoopbackCluster.projectRoot().resolve(entry), clone.resolve(entry));
    }
    Path repository = repositoryWithoutSparkGemm(dir.resolve("m2"));
    LoopbackCluster cluster = new LoopbackCluster(clone, dir.resolve("cluster"), 27277, 28280);
    cluster.env.remove("SPARK_GEMM_SPARK_JARS");
    Map<String, String> maven = new HashMap<>();
    String opts = System.getenv("MAVEN_OPTS");
    maven.put("MAVEN_OPTS", (opts == null ? "" : opts + " ") + "-Dmaven.repo.local="
        + repository);
    maven.put("MAVEN_ARGS", "-o");   // everything the build needs is in the repository
    cluster.env.putAll(maven);

    LoopbackCluster.Result started = cluster.script("cluster.sh", List.of("start", "1"), Map.of(),
        600);
    try {
      assertThat(started.code()).as(started.output()).isZero();
      assertThat(started.output()).contains("building a Spark home", "cluster up");
      try (Stream<Path> jars = Files.list(cluster.dir.resolve("spark-home/jars"))) {
        List<String> names = jars.map(j -> j.getFileName().toString()).toList();
        assertThat(names).contains("spark-core_2.13-4.2.0.jar", "spark-mllib_2.13-4.2.0.jar")
            .noneMatch(n -> n.startsWith("local-gemm") || n.startsWith("spark-job"));
      }
      assertThat(repository.resolve("io/sparkgemm")).as("nothing installed").doesNotExist();

      Path x = ClusterFixtures.generate(dir, ROWS);
      Path local = dir.resolve("local");
      ClusterFixtures.localReference(x, local, BLOCK_ROWS);
      Path out = dir.resolve("cluster-out");
      LoopbackCluster.Result run = cluster.script("submit",
          ClusterFixtures.backward(x, out, BLOCK_ROWS), Map.of(), 300);
      assertThat(run.code()).as(run.output()).isZero();
      ClusterFixtures.assertSameBits(local, out);
    } finally {
      LoopbackCluster.Result stopped = cluster.script("cluster.sh", List.of("stop"), Map.of(),
          120);
      assertThat(stopped.code()).as(stopped.output()).isZero();
      assertThat(cluster.pidFiles()).as("PID files left behind").isEmpty();
    }
  }

  /** Copies a file or a folder, without the build's target folders. */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.filter(p -> !from.relativize(p).toString().matches(
          "(.*/)?target(/.*)?")).toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * A local repository that is the build's own without io/sparkgemm, as on a machine that never
   * installed spark-gemm: links to every other group's folder (nothing is copied, and the user's
   * repository is left as it is).
   */
  private static Path repositoryWithoutSparkGemm(Path scratch) throws IOException {
    Path real = Path.of(System.getProperty("spark-gemm.local-repository",
        System.getProperty("user.home") + "/.m2/repository"));
    assertThat(real).isDirectory();
    Files.createDirectories(scratch.resolve("io"));
    try (Stream<Path> groups = Files.list(real)) {
      for (Path group : groups.toList()) {
        if (!group.getFileName().toString().equals("io")) {
          Files.createSymbolicLink(scratch.resolve(group.getFileName().toString()), group);
        }
      }
    }
    if (Files.isDirectory(real.resolve("io"))) {
      try (Stream<Path> groups = Files.list(real.resolve("io"))) {
        for (Path group : groups.toList()) {
          if (!group.getFileName().toString().equals("sparkgemm")) {
            Files.createSymbolicLink(scratch.resolve("io").resolve(group.getFileName()
                .toString()), group);
          }
        }
      }
    }
    return scratch;
  }
}
