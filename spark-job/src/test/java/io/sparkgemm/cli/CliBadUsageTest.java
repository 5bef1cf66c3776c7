package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Init;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.CacheLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

/** Bad usage and bad input: exit code 2, a message saying what is wrong, no output. */
class CliBadUsageTest {
  private static final int N = 12;
  private static final int D = 4;
  private static final int K = 3;

  @TempDir
  static Path inputs;

  private static SparkSession spark;

  @BeforeAll
  static void writeInputs() {
    spark = E2eFiles.startSession("CliBadUsageTest");
    Random random = new Random(4L);
    double[][] x = NaiveOracle.gaussian(random, N, D);
    npy(inputs.resolve("X.npy"), x);
    npy(inputs.resolve("W.npy"), NaiveOracle.gaussian(random, D, K));
    npy(inputs.resolve("b4.npy"), NaiveOracle.gaussian(random, K + 1));
    npy(inputs.resolve("W-no-outputs.npy"), new double[D][0]);
    npy(inputs.resolve("T-short.npy"), NaiveOracle.gaussian(random, N - 1, K));
    npy(inputs.resolve("G-narrow.npy"), NaiveOracle.gaussian(random, N, K - 1));
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      // row id 7 has one feature too few
      double[] features = r == 7 ? Arrays.copyOf(x[r], D - 1) : x[r];
      rows.add(RowFactory.create((long) r, features, 1.0 * r));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("target", DataTypes.DoubleType, false);
    spark.createDataFrame(rows, schema).write().parquet(inputs.resolve("ragged.parquet")
        .toString());
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static String in(String name) {
    return inputs.resolve(name).toString();
  }

  /** Runs a command expected to fail with exit code 2 and no output folder; returns stderr. */
  private static String badUsage(Path dir, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--master", "local[2]"));
    CliRun run = CliRun.of(all.toArray(new String[0]));
    assertThat(run.exitCode()).as("exit code; stdout:%n%s%nstderr:%n%s", run.out(), run.err())
        .isEqualTo(2);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ");
    assertThat(dir.resolve("out")).doesNotExist();
    return run.err();
  }

  private static String backward(Path dir, String... extra) {
    return backwardOn("X.npy", dir, extra);
  }

  private static String backwardOn(String x, Path dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("backward", "--x", in(x), "--w",
        in("W.npy"), "--out", dir.resolve("out").toString()));
    args.addAll(List.of(extra));
    return badUsage(dir, args.toArray(new String[0]));
  }

  @Test
  void missingInputOrOutput(@TempDir Path dir) {
    assertThat(badUsage(dir, "forward", "--w", in("W.npy"), "--out", dir.resolve("out")
        .toString())).contains("--x PATH");
    assertThat(badUsage(dir, "forward", "--x", in("X.npy"), "--w", in("W.npy")))
        .contains("Missing --out DIR");
    assertThat(badUsage(dir, "forward", "--x", in("nothing.npy"), "--w", in("W.npy"), "--out",
        dir.resolve("out").toString())).contains("nothing.npy: no such file or directory");
  }

  @Test
  void exactlyOneOfLossAndUpstream(@TempDir Path dir) {
    String expected = "Give exactly one of --loss sum|mean|mse|softmax-ce and --upstream G";
    assertThat(backward(dir, "--loss", "sum", "--upstream", in("G-narrow.npy")))
        .contains(expected);
    assertThat(backward(dir)).contains(expected);
  }

  @Test
  void unknownLoss(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "hinge"))
        .contains("Unknown --loss 'hinge': expected sum, mean, mse or softmax-ce");
    assertThat(backward(dir, "--loss", "supplied")).contains("Unknown --loss 'supplied'");
  }

  @Test
  void lossesAndTheirLabels(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "mse")).contains("The loss needs targets")
        .contains("--labels FILE.npy");
    assertThat(backward(dir, "--loss", "softmax-ce")).contains("The loss needs class labels");
    assertThat(backward(dir, "--loss", "sum", "--labels", in("T-short.npy")))
        .contains("--loss sum takes no labels");
    assertThat(backward(dir, "--loss", "mse", "--labels", in("T-short.npy")))
        .contains("labels has 11 rows but X").contains("has 12");
    assertThat(backward(dir, "--loss", "mse", "--labels-col", "t"))
        .contains("--id-col and --labels-col need a dataset input");
    assertThat(backwardOn("ragged.parquet", dir, "--loss", "mse", "--id-col", "id"))
        .contains("give --labels-col COLUMN or --labels FILE.npy");
  }

  @Test
  void negativeBlockRowsOrPartitions(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "sum", "--block-rows", "-1"))
        .contains("--block-rows must be >= 1 (or 0 for automatic), got -1");
    assertThat(backward(dir, "--loss", "sum", "--partitions", "-1"))
        .contains("--partitions must be >= 1 (or 0 to keep the input's), got -1");
  }

  @Test
  void weightsFromAFileOrFromAnInitScheme(@TempDir Path dir) {
    String out = dir.resolve("out").toString();
    assertThat(badUsage(dir, "forward", "--x", in("X.npy"), "--init", "magic", "--outputs", "3",
        "--out", out)).contains("Unknown --init 'magic': expected xavier, he or orthogonal");
    assertThat(badUsage(dir, "forward", "--x", in("X.npy"), "--init", "xavier", "--out", out))
        .contains("--init needs --outputs K");
    assertThat(badUsage(dir, "forward", "--x", in("X.npy"), "--out", out))
        .contains("Give the weights: --w W.npy, or --init");
    assertThat(badUsage(dir, "forward", "--x", in("X.npy"), "--w", in("W.npy"), "--init",
        "xavier", "--outputs", "3", "--out", out)).contains("either --w or --init, not both");
  }

  /** Library errors name parameters (blockRows, learningRate); the command line, its flags. */
  @Test
  void libraryParametersAreShownAsTheFlagsThatSetThem(@TempDir Path dir) {
    String out = dir.resolve("out").toString();
    String train = badUsage(dir, "train", "--loss", "mse", "--x", in("X.npy"), "--labels",
        in("T-short.npy"), "--optimizer", "gd", "--lr", "-1", "--out", out);
    assertThat(train).isEqualTo("error: --lr must be > 0, got -1.0" + System.lineSeparator());
    assertThat(badUsage(dir, "train", "--loss", "mse", "--x", in("X.npy"), "--labels",
        in("T-short.npy"), "--lbfgs-memory", "0", "--out", out))
        .contains("--lbfgs-memory must be >= 1, got 0").doesNotContain("lbfgsMemory");
    assertThat(backward(dir, "--loss", "sum", "--tree-depth", "-2"))
        .contains("--tree-depth must be >= 1 (or 0 to choose), got -2");
  }

  /** Choices accept today's spellings and refuse others in one line naming the flag. */
  @Test
  void typedChoicesKeepTheirSpellings(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "sum", "--storage-level", "memory-only-maybe"))
        .isEqualTo("error: Unknown --storage-level 'memory-only-maybe': expected "
            + "MEMORY_AND_DISK, MEMORY_AND_DISK_SER, DISK_ONLY, MEMORY_ONLY or MEMORY_ONLY_SER"
            + System.lineSeparator());
    assertThat(backward(dir, "--loss", "Sum")).contains("Unknown --loss 'Sum'");
    assertThat(new Choices.StorageLevels().convert("memory-and-disk"))
        .isEqualTo(CacheLevel.MEMORY_AND_DISK);
    assertThat(new Choices.StorageLevels().convert("disk_only"))
        .isEqualTo(CacheLevel.DISK_ONLY);
    assertThat(new Choices.DTypes().convert("f32")).isEqualTo(DType.FLOAT32);
    assertThat(new Choices.DTypes().convert("double"))
        .isEqualTo(DType.FLOAT64);
    assertThat(new Choices.TrainLoss().convert("softmax-ce"))
        .isEqualTo(Loss.SOFTMAX_CE);
    assertThat(new Choices.Inits().convert("Xavier")).isEqualTo(Init.XAVIER);
    assertThat(new Choices.PassLoss()).containsExactly("sum", "mean", "mse", "softmax-ce");
  }

  @Test
  void biasWithTheWrongLength(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "sum", "--b", in("b4.npy")))
        .contains("b has 4 values but W has 3 outputs (b must have k = 3)");
  }

  @Test
  void upstreamGradientWithTheWrongWidth(@TempDir Path dir) {
    assertThat(backward(dir, "--upstream", in("G-narrow.npy")))
        .contains("The upstream gradient G has 2 columns but Y = XW + b has k = 3");
  }

  @Test
  void unknownDtypeAndUnknownOption(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "sum", "--dtype", "float16"))
        .contains("Unknown --dtype 'float16': expected float64 or float32");
    CliRun run = CliRun.of("forward", "--x", in("X.npy"), "--w", in("W.npy"), "--out",
        dir.resolve("out").toString(), "--input-grad");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--input-grad'");
  }

  @Test
  void aRaggedRowIsFoundOnTheExecutorsAndNamed(@TempDir Path dir) {
    assertThat(backwardOn("ragged.parquet", dir, "--id-col", "id", "--loss", "mse",
        "--labels-col", "target", "--block-rows", "3"))
        .contains("row id 7 has 3 features but the first row has 4");
  }

  /** Sizes that would run for minutes, exhaust the driver or write an empty dW (issue 13, 16). */
  @Test
  void sizesOutOfRange(@TempDir Path dir) {
    assertThat(backward(dir, "--loss", "sum", "--blas-threads", "100000"))
        .contains("--blas-threads must be between 1 and 256").contains("got 100000");
    assertThat(backward(dir, "--loss", "sum", "--partitions", "100000"))
        .contains("--partitions 100000 is more than the " + N + " rows of " + in("X.npy"))
        .contains("use at most 1000");
    assertThat(badUsage(dir, "backward", "--x", in("X.npy"), "--w", in("W-no-outputs.npy"),
        "--loss", "sum", "--out", dir.resolve("out").toString()))
        .contains("W is " + D + "x0, expected d x k with d >= 1 inputs and k >= 1 outputs");
    assertThat(badUsage(dir, "forward", "--x", in("X.npy"), "--init", "xavier", "--outputs",
        "500000000", "--out", dir.resolve("out").toString()))
        .contains("--outputs 500000000 makes W d x 500000000, at least 500000000 values")
        .contains("driver").doesNotContain("rows per block");
  }
}
