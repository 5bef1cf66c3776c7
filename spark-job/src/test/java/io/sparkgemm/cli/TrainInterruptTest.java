package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.namesStartingWith;
import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkgemm.spark.train.CheckpointFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (a real SIGINT to a real driver JVM) in the middle of minibatch training leaves nothing
 * at --out and says which checkpoint to resume from; the resume, with the same --out and no
 * --overwrite, ends where a run that was never stopped ends, bit for bit.
 */
class TrainInterruptTest {
  private static final int N = 800;

  @TempDir
  static Path data;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("TrainInterruptTest");
    Random random = new Random(7);
    double[][] x = new double[N][3];
    int[] labels = new int[N];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < 3; c++) {
        x[r][c] = 2 * random.nextDouble() - 1;
      }
      labels[r] = x[r][0] * x[r][1] > 0 ? 1 : 0;
    }
    npy(data.resolve("X.npy"), x);
    E2eFiles.npyInts(data.resolve("L.npy"), labels);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  /** train on the data, 6 epochs of 8 sgd steps, into {@code out}. */
  private static List<String> train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x",
        data.resolve("X.npy").toString(), "--labels", data.resolve("L.npy").toString(),
        "--hidden", "4", "--optimizer", "sgd", "--momentum", "0.9", "--batch-rows", "100",
        "--epochs", "6", "--seed", "5", "--master", "local[2]", "--out", out.toString()));
    args.addAll(List.of(extra));
    return args;
  }

  /**
   * The CLI in a JVM of its own, every block of a pass delayed so that the run is still
   * training when the signal comes. env --default-signal=INT undoes a SIGINT ignored by whoever
   * started this test (a background job of a non-interactive shell), which a child inherits.
   */
  private static Process driver(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(Files.readString(Path.of("target", "launcher", "jvm-flags.txt"))
        .trim().split("\\s+")));
    // the launcher's logging: Spark's log to a file, warnings on the console
    command.add("-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties")
        .toAbsolutePath().normalize());
    command.add("-Dspark.gemm.log.file=" + log.resolveSibling("spark.log"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        SparkGemmCli.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("SPARK_GEMM_DEBUG_BLOCK_DELAY_MS", "100");
    return builder.start();
  }

  @Test
  void ctrlCLeavesNothingAtOutAndTheRunResumesFromItsNewestCheckpoint(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("net");
    Path checkpoints = dir.resolve("net.checkpoints");
    Path log = dir.resolve("driver.log");
    CheckpointFolder folder = CheckpointFolder.of(checkpoints.toString(), new Configuration());
    Process driver = driver(train(out, "--checkpoint-every", "3"), log);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (folder.names().isEmpty() && driver.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(driver.isAlive()).as("the driver is training; it printed:%n%s",
          Files.readString(log)).isTrue();
      assertThat(folder.names()).isNotEmpty();
      String status = Files.readString(Path.of("/proc", Long.toString(driver.pid()), "status"));
      assumeTrue(!ignoresSigint(status), "SIGINT is ignored in the driver (env could not "
          + "reset it), so Ctrl-C cannot be tested here");
      assertThat(new ProcessBuilder("kill", "-INT", Long.toString(driver.pid())).start()
          .waitFor()).isZero();
      assertThat(driver.waitFor(120, TimeUnit.SECONDS)).as("the driver stopped").isTrue();
    } finally {
      driver.destroyForcibly();
    }
    String printed = Files.readString(log);
    assertThat(driver.exitValue()).as(printed).isEqualTo(130);
    List<String> left = folder.names();
    assertThat(printed).contains("interrupted: nothing was written to " + out + "; resume from "
        + "the newest checkpoint, " + left.get(left.size() - 1) + ", with the same flags and "
        + "--resume " + checkpoints + "\n");
    assertThat(printed).doesNotContain("error:");
    assertThat(out).doesNotExist();
    assertThat(namesStartingWith(dir, ".net.tmp-")).isEmpty();

    CliRun resumed = CliRun.of(train(out, "--resume", checkpoints.toString())
        .toArray(new String[0]));
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    Path straight = dir.resolve("straight");
    CliRun run = CliRun.of(train(straight).toArray(new String[0]));
    assertThat(run.exitCode()).as(run.err()).isZero();
    for (String file : List.of("W0.npy", "b0.npy", "W1.npy", "b1.npy")) {
      assertThat(Arrays.equals(Files.readAllBytes(straight.resolve(file)),
          Files.readAllBytes(out.resolve(file)))).as(file + " bit for bit").isTrue();
    }
  }

  /** Whether /proc's SigIgn mask has SIGINT (2, the mask's bit 1). */
  private static boolean ignoresSigint(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
      }
    }
    return false;
  }
}
