package io.sparkgemm.local.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkgemm.local.DenseBlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by NumPy itself read back correctly, and NumPy reads ours. Skips when python3
 * with numpy is absent; the hand-made files of {@link NpyTest} cover the same layouts without it.
 */
class NpyNumpyTest {
  private static final String SCRIPT = String.join("\n",
      "import sys, numpy as np",
      "d = sys.argv[1]",
      "np.save(d + '/c.npy', np.arange(6, dtype='<f8').reshape(2, 3) / 4)",
      "np.save(d + '/f.npy', np.asfortranarray(np.arange(6, dtype='>f4').reshape(2, 3)))",
      "np.save(d + '/l.npy', np.array([2, 0, 1], dtype=np.int64))",
      "np.save(d + '/o.npy', np.array([{}, 1], dtype=object), allow_pickle=True)",
      "j = np.load(d + '/java.npy')",
      "assert j.dtype == np.float32 and j.shape == (2, 2), (j.dtype, j.shape)",
      "assert j.tolist() == [[1.0, 2.0], [3.0, 4.5]], j.tolist()");

  @TempDir
  Path dir;

  @Test
  void numpyAndSparkGemmReadEachOthersFiles() throws IOException, InterruptedException {
    assumeTrue(run("import numpy").exit == 0, "python3 with numpy is not installed");
    Npy.write(dir.resolve("java.npy"),
        NpyArray.of(DenseBlock.ofFloats(2, 2, new float[] {1, 2, 3, 4.5f})));
    Result made = run(SCRIPT, dir.toString());
    assertThat(made.exit).as("python: " + made.output).isZero();

    assertThat(Npy.read(dir.resolve("c.npy")).toBlock().toRows())
        .isEqualTo(new double[][] {{0, 0.25, 0.5}, {0.75, 1, 1.25}});
    NpyArray fortran = Npy.read(dir.resolve("f.npy"));
    assertThat(fortran.dtype()).isEqualTo(NpyDType.FLOAT32);
    assertThat(fortran.toBlock().floats()).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(Npy.read(dir.resolve("l.npy")).toClasses()).containsExactly(2, 0, 1);
    assertThatThrownBy(() -> Npy.read(dir.resolve("o.npy")))
        .isInstanceOf(NpyFormatException.class).hasMessageContaining("object dtype '|O'");
  }

  private record Result(int exit, String output) {
  }

  private static Result run(String script, String... args) throws IOException,
      InterruptedException {
    String[] command = new String[3 + args.length];
    command[0] = "python3";
    command[1] = "-c";
    command[2] = script;
    System.arraycopy(args, 0, command, 3, args.length);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, "python3 not found: " + e.getMessage());
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "python3 timed out");
    }
    return new Result(p.exitValue(), output);
  }
}
