package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train's limits: a network too large for the memory it would run in is refused before any
 * Spark job (one line, exit 2) instead of dying of OutOfMemoryError; a minibatch run whose loss
 * explodes stops as diverged (exit 1, nothing at --out) instead of writing a model of huge
 * weights; --hidden with an empty width is refused.
 */
class TrainLimitsTest {
  private static final int WIDE = 784;

  @TempDir
  static Path dir;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("TrainLimitsTest");
    Random random = new Random(24);
    double[][] pixels = new double[20][WIDE];
    int[] digits = new int[pixels.length];
    for (int r = 0; r < pixels.length; r++) {
      for (int c = 0; c < WIDE; c++) {
        pixels[r][c] = random.nextDouble();
      }
      digits[r] = r % 10;
    }
    npy(dir.resolve("pixels.npy"), pixels);
    E2eFiles.npyInts(dir.resolve("digits.npy"), digits);
    double[][] x = new double[400][4];
    int[] labels = new int[x.length];
    for (int r = 0; r < x.length; r++) {
      for (int c = 0; c < 4; c++) {
        x[r][c] = 2 * random.nextDouble() - 1;
      }
      labels[r] = x[r][0] * x[r][1] > 0 ? 1 : 0;
    }
    npy(dir.resolve("X.npy"), x);
    E2eFiles.npyInts(dir.resolve("L.npy"), labels);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static CliRun train(String x, String labels, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--loss", "softmax-ce", "--x",
        dir.resolve(x).toString(), "--labels", dir.resolve(labels).toString(), "--master",
        "local[2]", "--out", out.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  /**
   * Exit 2, one error line holding every fragment, nothing at --out, and no Spark job but the
   * one that counts the classes of the labels (k of the network): X was never read.
   */
  private static void assertRefusedBeforeXIsRead(String[] flags, String... fragments) {
    Path out = dir.resolve("never");
    CliRun run;
    try (JobCounter counter = new JobCounter(spark)) {
      run = train("pixels.npy", "digits.npy", out, flags);
      assertThat(counter.descriptions()).as(String.join(" ", flags))
          .isSubsetOf("spark-gemm: count the classes");
    }
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).startsWith("error: ").contains(fragments);
    assertThat(out).doesNotExist();
  }

  @Test
  void aNetworkTooLargeForTheDriverIsRefusedBeforeXIsRead() {
    assertRefusedBeforeXIsRead(new String[] {"--hidden", "100000"},
        "--hidden 100000 makes the network 784-100000(relu)-10 of 79,500,010 parameters",
        "lbfgs's 10 correction pairs", "but the driver has",
        "give --hidden smaller widths or --block-rows fewer rows, or the driver more memory");
    assertRefusedBeforeXIsRead(new String[] {"--hidden", "1000000", "--optimizer", "adam"},
        "784-1000000(relu)-10 of 795,000,010 parameters", "adam's moments m and v");
    assertRefusedBeforeXIsRead(new String[] {"--hidden", "100000,100000,100000"},
        "of 20,079,700,010 parameters, more than one Java array holds (2,147,483,639)");
  }

  /** Parquet rows tell d once read: refused then, before θ exists, with the same line. */
  @Test
  void aNetworkTooLargeForTheDriverIsRefusedOnceParquetRowsTellTheFeatures() {
    Path x = dir.resolve("pixels.parquet");
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("label", DataTypes.IntegerType, false);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      rows.add(RowFactory.create(new double[WIDE], r));
    }
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(x.toString());
    Path out = dir.resolve("never-parquet");
    CliRun run = CliRun.of("train", "--loss", "softmax-ce", "--x", x.toString(), "--labels-col",
        "label", "--master", "local[2]", "--out", out.toString(), "--hidden", "100000");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).contains("--hidden 100000 makes the network 784-100000(relu)-10 of "
        + "79,500,010 parameters");
    assertThat(out).doesNotExist();
  }

  @Test
  void aNetworkThatFitsStillTrains() {
    Path out = dir.resolve("fits");
    CliRun run = train("pixels.npy", "digits.npy", out, "--hidden", "32", "--max-iter", "3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(out.resolve("W1.npy")).exists();
  }

  @Test
  void aHiddenListWithAnEmptyWidthIsRefused() {
    for (String hidden : new String[] {"8,", ",8", "8,,4", ","}) {
      assertRefusedBeforeXIsRead(new String[] {"--hidden", hidden},
          "--hidden expects layer widths >= 1 separated by commas (e.g. 256,128), got '"
              + hidden + "' (a width is empty)");
    }
  }

  /** The issue's command: the loss grows by orders of magnitude but stays finite. */
  @Test
  void aMinibatchRunWhoseLossExplodesStopsAsDivergedAndWritesNothing() {
    Path out = dir.resolve("exploded");
    CliRun run = train("X.npy", "L.npy", out, "--hidden", "8", "--optimizer", "sgd", "--lr",
        "1e6", "--epochs", "3");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).containsPattern("^error: Training diverged at step [0-9]+ \\(epoch 1\\)"
        + ": the loss [-+.e0-9]+ exceeds 1e6 × max\\(1, the first step's [-+.e0-9]+\\)")
        .contains("no checkpoint was written (--checkpoint-every N writes them)");
    assertThat(out).doesNotExist();

    Path checkpoints = dir.resolve("exploded.ckpt");
    CliRun again = train("X.npy", "L.npy", out, "--hidden", "8", "--optimizer", "sgd", "--lr",
        "1e6", "--epochs", "3", "--batch-rows", "20", "--checkpoint-every", "1",
        "--checkpoint-dir", checkpoints.toString());
    assertThat(again.exitCode()).as(again.err()).isEqualTo(1);
    assertThat(again.err()).containsPattern("the last checkpoint written is "
        + "\\S*exploded\\.ckpt/iter-[0-9]{8} \\(--resume ");
    assertThat(out).doesNotExist();
  }

  /** Full-batch gd under the same growth rule. */
  @Test
  void aGradientDescentRunWhoseLossExplodesStopsAsDiverged() {
    Path out = dir.resolve("exploded-gd");
    CliRun run = train("X.npy", "L.npy", out, "--hidden", "8", "--optimizer", "gd", "--lr",
        "1e6", "--max-iter", "5");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).containsPattern("^error: Training diverged at iteration [0-9]+: the "
        + "loss [-+.e0-9]+ exceeds 1e6 × max\\(1, the first iteration's [-+.e0-9]+\\)");
    assertThat(out).doesNotExist();
  }

  @Test
  void anOrdinarySgdRunStillEndsWell() {
    Path out = dir.resolve("sgd");
    CliRun run = train("X.npy", "L.npy", out, "--hidden", "8", "--optimizer", "sgd", "--lr",
        "0.1", "--epochs", "3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(out.resolve("model.json")).exists();
  }
}
