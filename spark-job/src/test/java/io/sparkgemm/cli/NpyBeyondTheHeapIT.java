package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .npy X larger than the driver's heap: a 307 MB float64 file read by {@code backward} in a
 * local-mode JVM of 256 MB (the executors read their rows; cached blocks spill to disk). With the
 * sum loss G = 1, so dW[i][j] = Σ_r X[r][i] and db[j] = n, checked against those sums computed
 * from the formula the file was written from (values in 1/8ths, so every sum is exact).
 */
class NpyBeyondTheHeapIT {
  static final int ROWS = 600_000;
  static final int COLS = 64;
  static final int OUTPUTS = 2;

  @TempDir
  Path dir;

  static double x(long r, int c) {
    return ((r * 31 + c * 17) % 1024) / 8.0;
  }

  /** Writes the header, then the rows a MB at a time (never the whole array in memory). */
  private static void writeX(Path file) throws IOException {
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + ROWS + ", " + COLS
        + "), }";
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
      pre.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
          .putShort((short) header.length());
      out.write(pre.array());
      out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
      ByteBuffer row = ByteBuffer.allocate(8 * COLS).order(ByteOrder.LITTLE_ENDIAN);
      for (long r = 0; r < ROWS; r++) {
        row.clear();
        for (int c = 0; c < COLS; c++) {
          row.putDouble(x(r, c));
        }
        out.write(row.array());
      }
    }
  }

  @Test
  void backwardOverANpyLargerThanTheDriverHeap() throws Exception {
    Path x = dir.resolve("X.npy");
    writeX(x);
    long heap = 256L << 20;
    assertThat(Files.size(x)).as("X is larger than the heap").isGreaterThan(heap);
    Path w = dir.resolve("W.npy");
    Npy.write(w, NpyArray.of(DenseBlock.zeros(DType.FLOAT64, COLS, OUTPUTS)));
    Path out = dir.resolve("out");

    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(Files.readString(Path.of("target", "launcher", "jvm-flags.txt"))
        .trim().split("\\s+")));
    // Spark refuses a heap under 450 MB unless told the memory to plan for: 450 MB, of which
    // it keeps 300 MB back and, with this fraction, uses 37.5 MB for execution and cached
    // blocks (the rest of X spills to disk).
    command.addAll(List.of("-Xmx" + (heap >> 20) + "m", "-Dspark.testing.memory=471859200",
        "-Dspark.memory.fraction=0.25",
        "-Dspark.local.dir=" + dir.resolve("spark-local"),
        "-cp", System.getProperty("java.class.path"), SparkGemmCli.class.getName(),
        // a pass holds a partition's blocks: 16 partitions of 19 MB
        "backward", "--x", x.toString(), "--w", w.toString(), "--loss", "sum",
        "--partitions", "16",
        "--master", "local[2]", "--out", out.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("cli.log").toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    boolean finished = process.waitFor(300, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("cli.log"));
    assertThat(finished).as("finished in 300 s: %s", log).isTrue();
    assertThat(process.exitValue()).as(log).isZero();

    double[] sums = new double[COLS];
    for (long r = 0; r < ROWS; r++) {
      for (int c = 0; c < COLS; c++) {
        sums[c] += x(r, c);
      }
    }
    double[][] dw = E2eFiles.readMatrix(out.resolve("dW.npy"));
    for (int i = 0; i < COLS; i++) {
      for (int j = 0; j < OUTPUTS; j++) {
        assertThat(dw[i][j]).as("dW[%d][%d]", i, j).isEqualTo(sums[i]);
      }
    }
    assertThat(Npy.read(out.resolve("db.npy")).toVector()).containsExactly(ROWS, ROWS);
  }
}
