package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.npyInts;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.npy.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy files the executors write (issue 21, item 2): Y.npy and dX.npy of a .npy X, and
 * generate's X.npy and labels or targets. Written in place on a local disk, or as parts that
 * the driver joins (the way of HDFS and object stores, forced here on the local disk by the test
 * hook {@code spark.gemm.test.npyParts}): the same bytes, whatever the partitioning, and no part
 * left behind. The classes of .npy labels are counted by a Spark job.
 */
class NpyOutputsTest {
  private static final int N = 1_003;
  private static final int D = 5;
  private static final int K = 3;

  @TempDir
  static Path dir;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("NpyOutputsTest");
    Random random = new Random(11L);
    npy(dir.resolve("X.npy"), NaiveOracle.gaussian(random, N, D));
    npy(dir.resolve("W.npy"), NaiveOracle.gaussian(random, D, K));
    int[] labels = new int[N];
    for (int r = 0; r < N; r++) {
      labels[r] = r % K;
    }
    npyInts(dir.resolve("L.npy"), labels);
    labels[N - 7] = -1;
    npyInts(dir.resolve("L-negative.npy"), labels);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--master", "local[2]"));
    CliRun run = CliRun.of(all.toArray(new String[0]));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return run;
  }

  private static <T> T joiningParts(Supplier<T> body) {
    System.setProperty("spark.gemm.test.npyParts", "true");
    try {
      return body.get();
    } finally {
      System.clearProperty("spark.gemm.test.npyParts");
    }
  }

  /** The names in {@code out}, hidden ones (checksums) left out. */
  private static List<String> names(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
          .sorted().toList();
    }
  }

  private static void assertSameFiles(Path expected, Path actual, String... files)
      throws IOException {
    for (String file : files) {
      assertThat(Files.readAllBytes(actual.resolve(file))).as(actual + "/" + file)
          .isEqualTo(Files.readAllBytes(expected.resolve(file)));
    }
  }

  @Test
  void yAndDxAreTheSameInPlaceOrJoinedFromParts() throws IOException {
    for (String dtype : List.of("float64", "float32")) {
      String[] backward = {"backward", "--x", dir.resolve("X.npy").toString(), "--w",
          dir.resolve("W.npy").toString(), "--loss", "softmax-ce", "--labels",
          dir.resolve("L.npy").toString(), "--input-grad", "--save-output", "--dtype", dtype,
          "--block-rows", "100"};
      Path inPlace = dir.resolve("in-place-" + dtype);
      run(concat(backward, "--partitions", "3", "--out", inPlace.toString()));
      Path parts = dir.resolve("parts-" + dtype);
      joiningParts(() -> run(concat(backward, "--partitions", "4", "--deterministic", "--out",
          parts.toString())));
      assertSameFiles(inPlace, parts, "Y.npy", "dX.npy");
      assertThat(names(parts)).containsExactly("Y.npy", "_SPARK_GEMM", "dW.npy", "dX.npy",
          "db.npy", "report.json");
      assertThat(Npy.read(parts.resolve("dX.npy")).shape()).containsExactly(N, D);
      assertThat(Npy.read(parts.resolve("Y.npy")).shape()).containsExactly(N, K);
    }
  }

  @Test
  void generatedNpyFilesAreTheSameForAnyPartitioningInPlaceOrFromParts() throws IOException {
    for (String task : List.of("classification", "regression")) {
      // 10,001 rows: three chunks of 4096 rows, the last one short
      String[] generate = {"generate", "--rows", "10001", "--features", "4", "--outputs", "3",
          "--task", task, "--format", "npy", "--seed", "9", "--holdout", "5000"};
      Path one = dir.resolve("generate-1-" + task);
      run(concat(generate, "--partitions", "1", "--out", one.toString()));
      Path three = dir.resolve("generate-3-" + task);
      run(concat(generate, "--partitions", "3", "--out", three.toString()));
      Path parts = dir.resolve("generate-parts-" + task);
      joiningParts(() -> run(concat(generate, "--partitions", "2", "--out",
          parts.toString())));
      String labels = task.equals("regression") ? "targets" : "labels";
      String[] files = {"X.npy", labels + ".npy", "X_test.npy", labels + "_test.npy"};
      assertSameFiles(one, three, files);
      assertSameFiles(one, parts, files);
      assertThat(names(parts)).doesNotContain("X.npy.part-0000000000000000000");
      assertThat(Npy.read(parts.resolve("X.npy")).shape()).containsExactly(10001, 4);
    }
  }

  @Test
  void theClassesOfNpyLabelsAreCountedByASparkJob() {
    Path out = dir.resolve("counted");
    CliRun run;
    List<String> jobs;
    try (JobCounter counter = new JobCounter(spark)) {
      run = run("train", "--x", dir.resolve("X.npy").toString(), "--labels",
          dir.resolve("L.npy").toString(), "--loss", "softmax-ce", "--max-iter", "2", "--out",
          out.toString());
      jobs = counter.descriptions();
    }
    assertThat(run.out()).contains("k = 3 from the class labels (largest id 2)");
    assertThat(jobs).contains("spark-gemm: count the classes");
    assertThat(Npy.read(out.resolve("W.npy")).shape()).containsExactly(D, K);

    String negative = dir.resolve("L-negative.npy").toString();
    CliRun refused = CliRun.of("train", "--x", dir.resolve("X.npy").toString(), "--labels",
        negative, "--loss", "softmax-ce", "--out", dir.resolve("never").toString(),
        "--master", "local[2]");
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
    assertThat(refused.err()).isEqualTo("error: " + negative + ": Class label -1 at row id "
        + (N - 7) + " is negative: class ids must be 0, 1, 2, ..." + System.lineSeparator());
    assertThat(dir.resolve("never")).doesNotExist();
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
