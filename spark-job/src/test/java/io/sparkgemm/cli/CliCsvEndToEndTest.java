package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readRows;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static io.sparkgemm.cli.E2eFiles.report;
import static io.sparkgemm.cli.NaiveOracle.F64;
import static io.sparkgemm.cli.NaiveOracle.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CSV inputs, with and without a header; rows are numbered in file order. */
class CliCsvEndToEndTest {
  private static final int N = 23;
  private static final int D = 3;
  private static final int K = 2;

  @TempDir
  static Path inputs;

  private static SparkSession spark;
  private static double[][] x;
  private static double[][] w;
  private static double[] b;

  @BeforeAll
  static void startSession() {
    spark = E2eFiles.startSession("CliCsvEndToEndTest");
    Random random = new Random(311L);
    x = NaiveOracle.gaussian(random, N, D);
    w = NaiveOracle.gaussian(random, D, K);
    b = NaiveOracle.gaussian(random, K);
    npy(inputs.resolve("W.npy"), w);
    npy(inputs.resolve("b.npy"), b);
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  /** X as CSV text, one row per line; Double.toString round-trips exactly. */
  private static Path csv(String name, String header) throws IOException {
    StringBuilder text = new StringBuilder();
    if (header != null) {
      text.append(header).append('\n');
    }
    for (double[] row : x) {
      for (int c = 0; c < row.length; c++) {
        text.append(c == 0 ? "" : ",").append(row[c]);
      }
      text.append('\n');
    }
    return Files.writeString(inputs.resolve(name), text);
  }

  private static CliRun run(String command, Path input, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "--x", input.toString(),
        "--w", inputs.resolve("W.npy").toString(), "--b", inputs.resolve("b.npy").toString(),
        "--out", out.toString(), "--master", "local[2]", "--block-rows", "4"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }

  private static void assertRowsByIndex(String what, Path dir, double[][] expected) {
    Map<Long, double[]> rows = readRows(spark, dir);
    assertThat(rows.keySet()).as(what + " row ids").hasSize(expected.length);
    for (int r = 0; r < expected.length; r++) {
      assertThat(rows).as(what + " has row id " + r).containsKey((long) r);
      assertClose(what + " row id " + r, rows.get((long) r), expected[r], F64);
    }
  }

  @ParameterizedTest(name = "header: {0}")
  @ValueSource(booleans = {true, false})
  void forwardReadsEveryNumericColumnAsAFeature(boolean header, @TempDir Path dir)
      throws IOException {
    Path input = csv(header ? "with-header.csv" : "no-header.csv", header ? "p,q,r" : null);
    Path out = dir.resolve("fwd");
    CliRun run = run("forward", input, out, "--partitions", "2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertRowsByIndex("Y", out.resolve("Y"), NaiveOracle.forward(x, w, b));
    assertThat(report(out).path("shapes").path("X").toString()).isEqualTo("[23,3]");
    assertThat(report(out).path("rows").asLong()).isEqualTo(N);
  }

  @ParameterizedTest(name = "header: {0}")
  @ValueSource(booleans = {true, false})
  void backwardSumMatchesTheOracle(boolean header, @TempDir Path dir) throws IOException {
    Path input = csv(header ? "bwd-header.csv" : "bwd-no-header.csv", header ? "p,q,r" : null);
    Path out = dir.resolve("bwd");
    CliRun run = run("backward", input, out, "--loss", "sum", "--input-grad");

    assertThat(run.exitCode()).as(run.err()).isZero();
    double[][] y = NaiveOracle.forward(x, w, b);
    NaiveOracle.Head head = NaiveOracle.constant(y, false);
    NaiveOracle.Grads expected = NaiveOracle.grads(x, w, head.g());
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
    assertRowsByIndex("dX", out.resolve("dX"), expected.dx());
    assertClose("lossValue", report(out).path("lossValue").asDouble(), head.loss(), F64);
  }

  /** X as CSV text with {@code sep}, each cell written by {@code cell}. */
  private static Path csv(String name, String header, String sep,
      DoubleFunction<String> cell) throws IOException {
    StringBuilder text = new StringBuilder();
    if (header != null) {
      text.append(header).append('\n');
    }
    for (double[] row : x) {
      for (int c = 0; c < row.length; c++) {
        text.append(c == 0 ? "" : sep).append(cell.apply(row[c]));
      }
      text.append('\n');
    }
    return Files.writeString(inputs.resolve(name), text);
  }

  private static void assertBackwardSum(CliRun run, Path out, double[][] xs) {
    assertThat(run.exitCode()).as(run.err()).isZero();
    NaiveOracle.Grads expected = NaiveOracle.grads(xs, w,
        NaiveOracle.constant(NaiveOracle.forward(xs, w, b), false).g());
    assertThat(report(out).path("rows").asLong()).isEqualTo(xs.length);
    assertClose("dW", readMatrix(out.resolve("dW.npy")), expected.dw(), F64);
    assertClose("db", readVector(out.resolve("db.npy")), expected.db(), F64);
  }

  @Test
  void aPandasHeaderOfColumnNumbersIsAHeader(@TempDir Path dir) throws IOException {
    // pandas' to_csv(index=False) of an unnamed DataFrame writes the header 0,1,2
    Path input = csv("pandas.csv", "0,1,2");
    Path out = dir.resolve("pandas");
    assertBackwardSum(run("backward", input, out, "--loss", "sum"), out, x);
  }

  @Test
  void headerTrueAndFalseDecideWhatAutoCannot(@TempDir Path dir) throws IOException {
    // integers only, first line 0,1,2: a header or a data row, only the user knows
    double[][] ints = new double[N][D];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < D; c++) {
        ints[r][c] = r == 0 ? c : (r * 7 + c * 3) % 11 - 5;
      }
    }
    StringBuilder text = new StringBuilder();
    for (double[] row : ints) {
      text.append((long) row[0]).append(',').append((long) row[1]).append(',')
          .append((long) row[2]).append('\n');
    }
    Path input = Files.writeString(inputs.resolve("ints.csv"), text);
    Path data = dir.resolve("data");
    assertBackwardSum(run("backward", input, data, "--loss", "sum", "--header", "false"), data,
        ints);
    Path header = dir.resolve("header");
    assertBackwardSum(run("backward", input, header, "--loss", "sum", "--header", "true"),
        header, Arrays.copyOfRange(ints, 1, N));
    Path auto = dir.resolve("auto");
    CliRun refused = run("backward", input, auto, "--loss", "sum");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("pass --header true or --header false");
    assertThat(auto).doesNotExist();
  }

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstRowOrHeader(@TempDir Path dir) throws IOException {
    // Excel's "CSV UTF-8" and PowerShell write U+FEFF before the first line.
    Path bare = csv("bom.csv", null);
    Files.writeString(bare, "\uFEFF" + Files.readString(bare));
    Path data = dir.resolve("data");
    assertBackwardSum(run("backward", bare, data, "--loss", "sum"), data, x);

    Path named = csv("bom-header.csv", "p,q,r");
    Files.writeString(named, "\uFEFF" + Files.readString(named));
    Path cols = dir.resolve("cols");
    assertBackwardSum(run("backward", named, cols, "--loss", "sum", "--features-cols", "p,q,r"),
        cols, x);
  }

  @Test
  void headerNamesWithDotsAreColumnNames(@TempDir Path dir) throws IOException {
    Path input = csv("dots.csv", "x.1,x.2,x.3");
    Path all = dir.resolve("all");
    assertBackwardSum(run("backward", input, all, "--loss", "sum"), all, x);
    Path some = dir.resolve("some");
    assertBackwardSum(run("backward", input, some, "--loss", "sum", "--features-cols",
        "x.1,x.2,x.3"), some, x);
  }

  @Test
  void quotedNumbersAreNumbers(@TempDir Path dir) throws IOException {
    Path noHeader = csv("quoted.csv", null, ",", v -> "\"" + v + "\"");
    Path plain = dir.resolve("plain");
    assertBackwardSum(run("backward", noHeader, plain, "--loss", "sum"), plain, x);
    Path withHeader = csv("quoted-header.csv", "\"p\",\"q\",\"r\"", ",",
        v -> "\"" + v + "\"");
    Path named = dir.resolve("named");
    assertBackwardSum(run("backward", withHeader, named, "--loss", "sum"), named, x);
  }

  @Test
  void csvSepReadsOtherSeparators(@TempDir Path dir) throws IOException {
    Path semicolons = csv("semi.csv", "p;q;r", ";", Double::toString);
    Path out = dir.resolve("semi");
    assertBackwardSum(run("backward", semicolons, out, "--loss", "sum", "--csv-sep", ";"), out,
        x);
    Path tabs = csv("tabs.csv", null, "\t", Double::toString);
    Path tabOut = dir.resolve("tabs");
    assertBackwardSum(run("backward", tabs, tabOut, "--loss", "sum", "--csv-sep", "\\t"),
        tabOut, x);
  }

  @Test
  void featuresColsPicksColumnsOfAWiderCsv(@TempDir Path dir) throws IOException {
    StringBuilder text = new StringBuilder("p,skip,q,r\n");
    for (double[] row : x) {
      text.append(row[0]).append(",9.5,").append(row[1]).append(',').append(row[2])
          .append('\n');
    }
    Path input = Files.writeString(inputs.resolve("wide.csv"), text);
    Path out = dir.resolve("cols");
    CliRun run = run("forward", input, out, "--features-cols", "p,q,r");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertRowsByIndex("Y", out.resolve("Y"), NaiveOracle.forward(x, w, b));
  }

  @Test
  void aNonNumericCellIsBadInputNamingTheColumn(@TempDir Path dir) throws IOException {
    StringBuilder text = new StringBuilder("p,q,r\n");
    for (int r = 0; r < N; r++) {
      text.append(x[r][0]).append(',').append(r == 11 ? "oops" : Double.toString(x[r][1]))
          .append(',').append(x[r][2]).append('\n');
    }
    Path input = Files.writeString(inputs.resolve("bad.csv"), text);
    Path out = dir.resolve("bad");
    CliRun run = run("backward", input, out, "--loss", "sum");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("column 'q'").contains("expected numbers")
        .contains("'oops'").doesNotContain("Exception");
    assertThat(out).doesNotExist();
    assertThat(E2eFiles.namesStartingWith(dir, ".bad")).isEmpty();
  }
}
