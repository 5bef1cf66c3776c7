package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static io.sparkgemm.cli.E2eFiles.readMatrix;
import static io.sparkgemm.cli.E2eFiles.readVector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyDType;
import io.sparkgemm.local.npy.NpyLayout;
import io.sparkgemm.local.npy.PositionedInput;
import io.sparkgemm.spark.pass.NaiveNetwork;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that takes X, on a .npy X larger than the driver's heap: each runs in a local-mode
 * JVM of 256 MB on a 307 MB float64 X (600,000 x 64) that {@code generate --format npy} wrote in
 * such a JVM too; every command reads X in two partitions of 154 MB. The executors read their rows,
 * (307 MB each) into their place in one .npy, and count the classes; cached blocks spill to disk.
 * Results are checked against oracles: generated rows against the generator's per-row streams on a
 * sample of rows, Y and dX rows against X W + b and G Wᵀ on a sample, dW, the loss, the accuracy
 * and the solved W against sums over every row of X streamed here.
 */
class NpyBeyondTheHeapIT {
  static final int ROWS = 600_000;
  static final int COLS = 64;
  static final int CLASSES = 3;
  static final long SEED = 7;
  static final long HEAP = 256L << 20;
  /**
   * Two partitions of 154 MB each, read by two tasks at once: a pass streams a partition's blocks
   * (and its Y and dX blocks), so a partition need not fit in the heap.
   */
  static final String PARTITIONS = "2";

  @TempDir
  static Path dir;
  static Path data;

  @BeforeAll
  static void generate() throws Exception {
    data = dir.resolve("data");
    cli("generate", "generate", "--rows", String.valueOf(ROWS), "--features",
        String.valueOf(COLS), "--outputs", String.valueOf(CLASSES), "--task", "classification",
        "--format", "npy", "--seed", String.valueOf(SEED), "--out", data.toString());
  }

  /** Runs the CLI in a JVM of {@link #HEAP}; fails unless it exits 0; returns what it printed. */
  private static String cli(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(Files.readString(Path.of("target", "launcher", "jvm-flags.txt"))
        .trim().split("\\s+")));
    // Spark refuses a heap under 450 MB unless told the memory to plan for: 450 MB, of which
    // it keeps 300 MB back and, with this fraction, uses 37.5 MB for execution and cached
    // blocks (the rest spills to disk).
    command.addAll(List.of("-Xmx" + (HEAP >> 20) + "m", "-Dspark.testing.memory=471859200",
        "-Dspark.memory.fraction=0.25", "-Dspark.local.dir=" + dir.resolve("spark-local"),
        "-cp", System.getProperty("java.class.path"), SparkGemmCli.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--master", "local[2]"));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    boolean finished = process.waitFor(300, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String printed = Files.readString(log);
    assertThat(finished).as("%s finished in 300 s: %s", name, printed).isTrue();
    assertThat(process.exitValue()).as("%s: %s", name, printed).isZero();
    return printed;
  }

  /** Rows of a 2-D float .npy read here by position, a chunk at a time. */
  private static final class Rows implements AutoCloseable {
    final FileChannel channel;
    final NpyLayout layout;

    Rows(Path file) throws IOException {
      channel = FileChannel.open(file);
      layout = NpyLayout.read(PositionedInput.of(channel), channel.size(), file.toString());
    }

    double[] read(long r0, int n) throws IOException {
      double[] out = new double[n * layout.cols()];
      layout.readRows(PositionedInput.of(channel), r0, n, out, 0);
      return out;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** X's row r as the generator draws it: its own seeded stream. */
  static double[] xRow(long r) {
    SplittableRandom random = new SplittableRandom(SEED * 0x9E3779B97F4A7C15L + r);
    double[] x = new double[COLS];
    for (int c = 0; c < COLS; c++) {
      x[c] = random.nextGaussian();
    }
    return x;
  }

  /** x w + b for one row. */
  static double[] affine(double[] x, int offset, double[][] w, double[] b) {
    double[] y = b.clone();
    for (int i = 0; i < w.length; i++) {
      for (int j = 0; j < y.length; j++) {
        y[j] += x[offset + i] * w[i][j];
      }
    }
    return y;
  }

  /** Some 200 rows spread over X, the first and last included. */
  static long[] sample() {
    long[] rows = new long[200];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i == rows.length - 1 ? ROWS - 1 : i * 2999L % ROWS;
    }
    return rows;
  }

  @Test
  void generateWritesXAndLabelsLargerThanTheHeap() throws Exception {
    assertThat(Files.size(data.resolve("X.npy"))).as("X is larger than the heap")
        .isGreaterThan(HEAP);
    double[][] w = readMatrix(data.resolve("W_true.npy"));
    double[] b = readVector(data.resolve("b_true.npy"));
    int[] labels = Npy.read(data.resolve("labels.npy")).toClasses();
    assertThat(labels).hasSize(ROWS);
    try (Rows x = new Rows(data.resolve("X.npy"))) {
      assertThat(x.layout.shape()).containsExactly(ROWS, COLS);
      for (long r : sample()) {
        double[] expected = xRow(r);
        assertThat(x.read(r, 1)).as("X row %d", r).containsExactly(expected);
        assertThat(labels[(int) r]).as("label of row %d", r)
            .isEqualTo(NaiveNetwork.argmax(affine(expected, 0, w, b)));
      }
    }
  }

  /** A 64 x 64 W (and b) of small multiples of 1/8, so Y and dX are as large as X. */
  private static double[][] squareW() {
    double[][] w = new double[COLS][COLS];
    for (int i = 0; i < COLS; i++) {
      for (int j = 0; j < COLS; j++) {
        w[i][j] = ((i * 7 + j * 3) % 17 - 8) / 8.0;
      }
    }
    return w;
  }

  private static double[] squareB() {
    double[] b = new double[COLS];
    for (int j = 0; j < COLS; j++) {
      b[j] = j / 4.0;
    }
    return b;
  }

  @Test
  void forwardWritesAYLargerThanTheHeap() throws Exception {
    double[][] w = squareW();
    double[] b = squareB();
    Path out = dir.resolve("forward");
    cli("forward", "forward", "--x", data.resolve("X.npy").toString(), "--w",
        npy(dir.resolve("W-forward.npy"), w).toString(), "--b",
        npy(dir.resolve("b-forward.npy"), b).toString(), "--partitions", PARTITIONS, "--out",
        out.toString());
    assertThat(Files.size(out.resolve("Y.npy"))).as("Y is larger than the heap")
        .isGreaterThan(HEAP);
    try (Rows x = new Rows(data.resolve("X.npy")); Rows y = new Rows(out.resolve("Y.npy"))) {
      assertThat(y.layout.shape()).containsExactly(ROWS, COLS);
      for (long r : sample()) {
        double[] expected = affine(x.read(r, 1), 0, w, b);
        double[] actual = y.read(r, 1);
        for (int j = 0; j < COLS; j++) {
          assertThat(actual[j]).as("Y[%d][%d]", r, j).isCloseTo(expected[j], within(1e-10));
        }
      }
    }
  }

  /** With the sum loss G = 1: dX rows are W's row sums, dW[i][j] = Σ_r X[r][i], db = n. */
  @Test
  void backwardWritesADxLargerThanTheHeap() throws Exception {
    double[][] w = squareW();
    Path out = dir.resolve("backward");
    cli("backward", "backward", "--x", data.resolve("X.npy").toString(), "--w",
        npy(dir.resolve("W-backward.npy"), w).toString(), "--loss", "sum", "--input-grad",
        "--partitions", PARTITIONS, "--out", out.toString());
    assertThat(Files.size(out.resolve("dX.npy"))).as("dX is larger than the heap")
        .isGreaterThan(HEAP);
    double[] rowSums = new double[COLS];
    for (int i = 0; i < COLS; i++) {
      for (int j = 0; j < COLS; j++) {
        rowSums[i] += w[i][j];
      }
    }
    try (Rows dx = new Rows(out.resolve("dX.npy"))) {
      assertThat(dx.layout.shape()).containsExactly(ROWS, COLS);
      for (long r : sample()) {
        assertThat(dx.read(r, 1)).as("dX row %d", r).containsExactly(rowSums);
      }
    }
    double[] sums = new double[COLS];
    try (Rows x = new Rows(data.resolve("X.npy"))) {
      for (long r0 = 0; r0 < ROWS; r0 += 4096) {
        int n = (int) Math.min(4096, ROWS - r0);
        double[] rows = x.read(r0, n);
        for (int i = 0; i < rows.length; i++) {
          sums[i % COLS] += rows[i];
        }
      }
    }
    double[][] dw = readMatrix(out.resolve("dW.npy"));
    for (int i = 0; i < COLS; i++) {
      for (int j = 0; j < COLS; j++) {
        assertThat(dw[i][j]).as("dW[%d][%d]", i, j).isCloseTo(sums[i], within(1e-7));
      }
    }
    assertThat(readVector(out.resolve("db.npy"))).containsOnly((double) ROWS);
  }

  /**
   * train counts k from the labels (a Spark job) and fits a few steps; evaluate of its model
   * gives the mean cross-entropy and accuracy computed here over every row.
   */
  @Test
  void trainAndEvaluateOverANpyLargerThanTheHeap() throws Exception {
    Path model = dir.resolve("model");
    String labels = data.resolve("labels.npy").toString();
    String trained = cli("train", "train", "--x", data.resolve("X.npy").toString(), "--labels",
        labels, "--loss", "softmax-ce", "--max-iter", "1", "--partitions", PARTITIONS, "--out",
        model.toString());
    assertThat(trained).contains("k = 3 from the class labels (largest id 2)");
    double[][] w = readMatrix(model.resolve("W.npy"));
    double[] b = readVector(model.resolve("b.npy"));
    assertThat(w).hasNumberOfRows(COLS);
    assertThat(w[0]).hasSize(CLASSES);

    String evaluated = cli("evaluate", "evaluate", "--model", model.toString(), "--x",
        data.resolve("X.npy").toString(), "--labels", labels, "--partitions", PARTITIONS);
    Matcher m = Pattern.compile("softmax-ce (\\S+), accuracy \\S+ \\((\\d+) correct\\)")
        .matcher(evaluated);
    assertThat(m.find()).as(evaluated).isTrue();
    int[] classes = Npy.read(data.resolve("labels.npy")).toClasses();
    double loss = 0;
    long correct = 0;
    try (Rows x = new Rows(data.resolve("X.npy"))) {
      for (long r0 = 0; r0 < ROWS; r0 += 4096) {
        int n = (int) Math.min(4096, ROWS - r0);
        double[] rows = x.read(r0, n);
        for (int r = 0; r < n; r++) {
          double[] y = affine(rows, r * COLS, w, b);
          double max = y[NaiveNetwork.argmax(y)];
          double sum = 0;
          for (double v : y) {
            sum += Math.exp(v - max);
          }
          int label = classes[(int) r0 + r];
          loss += max + Math.log(sum) - y[label];
          correct += NaiveNetwork.argmax(y) == label ? 1 : 0;
        }
      }
    }
    assertThat(Double.parseDouble(m.group(1))).as(evaluated)
        .isCloseTo(loss / ROWS, within(1e-5 * loss / ROWS));
    assertThat(Long.parseLong(m.group(2))).as(evaluated).isBetween(correct - 2, correct + 2);
  }

  /** Targets T = X W_true + b_true, written here row by row: solve recovers W_true and b_true. */
  @Test
  void solveOverANpyLargerThanTheHeap() throws Exception {
    double[][] w = readMatrix(data.resolve("W_true.npy"));
    double[] b = readVector(data.resolve("b_true.npy"));
    Path targets = dir.resolve("T.npy");
    try (Rows x = new Rows(data.resolve("X.npy"));
        OutputStream t = new BufferedOutputStream(Files.newOutputStream(targets), 1 << 20)) {
      t.write(Npy.header(NpyDType.FLOAT64, new int[] {ROWS, CLASSES}));
      ByteBuffer row = ByteBuffer.allocate(8 * CLASSES).order(ByteOrder.LITTLE_ENDIAN);
      for (long r0 = 0; r0 < ROWS; r0 += 4096) {
        int n = (int) Math.min(4096, ROWS - r0);
        double[] rows = x.read(r0, n);
        for (int r = 0; r < n; r++) {
          row.clear();
          for (double v : affine(rows, r * COLS, w, b)) {
            row.putDouble(v);
          }
          t.write(row.array());
        }
      }
    }
    Path out = dir.resolve("solve");
    cli("solve", "solve", "--x", data.resolve("X.npy").toString(), "--labels",
        targets.toString(), "--partitions", PARTITIONS, "--out", out.toString());
    double[][] solved = readMatrix(out.resolve("W.npy"));
    for (int i = 0; i < COLS; i++) {
      for (int j = 0; j < CLASSES; j++) {
        assertThat(solved[i][j]).as("W[%d][%d]", i, j).isCloseTo(w[i][j], within(1e-8));
      }
    }
    double[] solvedB = readVector(out.resolve("b.npy"));
    for (int j = 0; j < CLASSES; j++) {
      assertThat(solvedB[j]).as("b[%d]", j).isCloseTo(b[j], within(1e-8));
    }
  }
}
