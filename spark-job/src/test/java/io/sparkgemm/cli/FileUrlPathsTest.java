package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file://} URLs are paths like any other (every path goes through Hadoop's FileSystem):
 * --w and --b are read, checkpoints are written into the folder named (not into a folder
 * literally called {@code file:} under the working directory) and resumed from there, and the
 * same run with plain paths gives the same bits. {@code HdfsIT} runs the same on HDFS.
 */
class FileUrlPathsTest {
  private static final int N = 200;
  private static final int D = 4;
  private static final int K = 3;

  @TempDir
  static Path data;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("FileUrlPathsTest");
    Random random = new Random(12);
    npy(data.resolve("X.npy"), NaiveOracle.gaussian(random, N, D));
    E2eFiles.npyInts(data.resolve("L.npy"), NaiveOracle.classes(random, N, K));
    npy(data.resolve("W.npy"), NaiveOracle.gaussian(random, D, K));
    npy(data.resolve("b.npy"), NaiveOracle.gaussian(random, K));
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static String url(Path p) {
    return p.toUri().toString();
  }

  private static CliRun train(String x, String w, String b, String ck, String out,
      String... more) {
    String[] common = {"train", "--x", x, "--labels", data.resolve("L.npy").toString(),
        "--loss", "softmax-ce", "--optimizer", "gd", "--checkpoint-every", "2",
        "--checkpoint-dir", ck, "--out", out, "--master", "local[2]"};
    String[] args = new String[common.length + more.length + (w == null ? 0 : 4)];
    System.arraycopy(common, 0, args, 0, common.length);
    if (w != null) {
      System.arraycopy(new String[] {"--w", w, "--b", b}, 0, args, common.length, 4);
    }
    System.arraycopy(more, 0, args, args.length - more.length, more.length);
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
    return run;
  }

  @Test
  void fileUrlsReadWeightsAndKeepCheckpointsWhereTheySay(@TempDir Path dir)
      throws IOException {
    Path ck = dir.resolve("ck");
    train(url(data.resolve("X.npy")), url(data.resolve("W.npy")), url(data.resolve("b.npy")),
        url(ck), url(dir.resolve("m1")), "--max-iter", "2");
    assertThat(ck.resolve("iter-00000002").resolve("W.npy")).isRegularFile();
    assertThat(Path.of("file:")).as("a folder named file: in the working directory")
        .doesNotExist();
    train(url(data.resolve("X.npy")), null, null, url(ck), url(dir.resolve("m2")), "--resume",
        url(ck), "--max-iter", "4");
    assertThat(ck.resolve("iter-00000004")).isDirectory();

    // the same two runs with plain paths: the same model, bit for bit
    Path plain = dir.resolve("plain");
    train(data.resolve("X.npy").toString(), data.resolve("W.npy").toString(),
        data.resolve("b.npy").toString(), plain.toString(), dir.resolve("p1").toString(),
        "--max-iter", "2");
    train(data.resolve("X.npy").toString(), null, null, plain.toString(),
        dir.resolve("p2").toString(), "--resume", plain.toString(), "--max-iter", "4");
    for (String file : new String[] {"W.npy", "b.npy", "model.json"}) {
      assertThat(Files.readAllBytes(dir.resolve("m2").resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(dir.resolve("p2").resolve(file)));
    }
  }
}
