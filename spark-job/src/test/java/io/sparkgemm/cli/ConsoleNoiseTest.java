package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad rows found on the executors, run through scripts/spark-gemm: the console gets one
 * {@code error:} line on a line of its own, Spark's task failure traces go to the log file.
 */
class ConsoleNoiseTest {
  private static final int N = 4000;
  private static final int D = 4;
  private static final int K = 3;

  @TempDir
  static Path inputs;

  @BeforeAll
  static void writeInputs() {
    Random random = new Random(17L);
    double[][] x = NaiveOracle.gaussian(random, N, D);
    npy(inputs.resolve("W.npy"), NaiveOracle.gaussian(random, D, K));
    double[][] targets = NaiveOracle.gaussian(random, N, K);
    targets[3100][1] = Double.NaN;
    int[] labels = new int[N];
    for (int r = 0; r < N; r++) {
      labels[r] = random.nextInt(K);
    }
    labels[3500] = K + 4;
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create((long) r, x[r], targets[r], labels[r]));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("targets", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("label", DataTypes.IntegerType, false);
    SparkSession spark = E2eFiles.startSession("ConsoleNoiseTest");
    try {
      // Both refusals happen on the executors, while blocks are built from these rows.
      spark.createDataFrame(rows, schema).repartition(2).write()
          .parquet(inputs.resolve("rows.parquet").toString());
    } finally {
      spark.stop();
    }
  }

  @Test
  void nanTargetFoundOnAnExecutorIsOneErrorLine(@TempDir Path dir) throws Exception {
    Launch run = launch(dir, "backward", "--x", in("rows.parquet"), "--id-col", "id",
        "--labels-col", "targets", "--w", in("W.npy"), "--loss", "mse", "--out",
        dir.resolve("out").toString());

    assertOneErrorLine(run, "row id 3100 has NaN in targets column 1");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void classOutOfRangeFoundOnAnExecutorIsOneErrorLine(@TempDir Path dir) throws Exception {
    Launch run = launch(dir, "backward", "--x", in("rows.parquet"), "--id-col", "id",
        "--labels-col", "label", "--w", in("W.npy"), "--loss", "softmax-ce", "--out",
        dir.resolve("out").toString());

    assertOneErrorLine(run, "Class label 7 at row id 3500 is out of range");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void aHeaderOfColumnNumbersIsSaidOnTheConsole(@TempDir Path dir) throws Exception {
    // pandas' to_csv(index=False) of an unnamed frame: "0,1,2,3" above decimals is a header by
    // the documented rule; the row it would be as data is dropped, so the console says so.
    StringBuilder text = new StringBuilder("0,1,2,3\n");
    for (int r = 0; r < 5; r++) {
      text.append(r + 0.5).append(",1.25,-2.5,3.75\n");
    }
    Path csv = Files.writeString(dir.resolve("pandas.csv"), text);
    Launch run = launch(dir, "backward", "--x", csv.toString(), "--w", in("W.npy"), "--loss",
        "sum", "--out", dir.resolve("out").toString());

    assertThat(run.code).as(run.err).isZero();
    assertThat(run.err.lines().filter(l -> l.contains("is read as a header")))
        .as(run.err).singleElement().satisfies(l -> assertThat(l)
            .contains("pandas.csv: line 1 ('0,1,2,3')").contains("--header false"));
    assertThat(E2eFiles.report(dir.resolve("out")).path("rows").asLong()).isEqualTo(5);
  }

  private static void assertOneErrorLine(Launch run, String message) throws IOException {
    String all = "exit " + run.code + "; stderr:\n" + run.err;
    assertThat(run.code).as(all).isEqualTo(2);
    // What a terminal shows: a line is what follows its last carriage return.
    List<String> shown = run.err.lines().map(l -> l.substring(l.lastIndexOf('\r') + 1))
        .filter(l -> !l.isBlank()).toList();
    assertThat(shown.stream().filter(l -> l.contains("error:"))).as(all).singleElement()
        .satisfies(l -> assertThat(l).startsWith("error: ").contains(message));
    assertThat(shown).as(all).noneMatch(l -> l.contains("Exception") || l.contains("\tat ")
        || l.contains(" ERROR ") || l.contains("TaskSetManager"));
    assertThat(run.logs).as("one log file for the run; stderr:\n" + run.err).hasSize(1);
    assertThat(Files.readString(run.logs.get(0))).as("the log keeps Spark's trace")
        .contains("Exception in task").contains(message);
  }

  private static String in(String name) {
    return inputs.resolve(name).toString();
  }

  record Launch(int code, String err, List<Path> logs) {
  }

  /** Runs scripts/spark-gemm on the test classpath (no jar build) with a log folder of its own. */
  static Launch launch(Path dir, String... args) throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    List<String> command = new ArrayList<>(List.of(root.resolve("scripts/spark-gemm").toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--master", "local[2]", "--partitions", "2", "--block-rows", "500"));
    Path logs = dir.resolve("logs");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(Map.of("SPARK_GEMM_CLASSPATH",
        System.getProperty("java.class.path"), "SPARK_GEMM_LOG_DIR", logs.toString()));
    Process process = builder.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("spark-gemm did not finish in 180 s:\n" + Files.readString(err));
    }
    List<Path> files = List.of();
    if (Files.isDirectory(logs)) {
      try (Stream<Path> list = Files.list(logs)) {
        files = list.toList();
      }
    }
    return new Launch(process.exitValue(), Files.readString(err, StandardCharsets.UTF_8), files);
  }
}
