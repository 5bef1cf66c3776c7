package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.Trans;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.backend.ReferenceGemm;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The cuda backend's correctness checks against the naive reference, as plain methods that return
 * their mismatches: the JUnit tests call them where a device is present, and {@link GpuCheck}
 * runs them on a GPU machine that has no Maven or JUnit. Tolerance {@code |a - r| <= atol +
 * rtol |r|}; each mismatch names the case, the index and both values.
 */
public final class CudaChecks {
  private CudaChecks() {
  }

  /**
   * dgemm and sgemm over transposes, alpha in {0, 1, 2}, beta in {0, 1} and shapes including
   * empty, 1x1 and odd ones, with padded leading dimensions and offsets (padding of a and b NaN,
   * padding of c a sentinel that must survive), and NaN in c with beta = 0.
   */
  public static List<String> gemmGrid(GemmBackend backend) {
    return gemmGrid(backend, true);
  }

  /**
   * The grid; without {@code large}, the 513x257x129 shape (slow on a simulated device) is left
   * out.
   */
  static List<String> gemmGrid(GemmBackend backend, boolean large) {
    int[][] all = {{0, 5, 3, 0, 0}, {3, 0, 2, 0, 0}, {4, 3, 0, 0, 0}, {1, 1, 1, 0, 0},
        {7, 5, 3, 0, 0}, {103, 67, 29, 0, 0}, {7, 5, 3, 2, 3}, {103, 67, 29, 5, 1},
        {513, 257, 129, 3, 2}};
    int[][] shapes = large ? all : Arrays.copyOf(all, all.length - 1);
    List<String> failures = new ArrayList<>();
    for (DType dtype : DType.values()) {
      for (Trans ta : Trans.values()) {
        for (Trans tb : Trans.values()) {
          for (double alpha : new double[] {0, 1, 2}) {
            for (double beta : new double[] {0, 1, -1}) {
              for (int[] s : shapes) {
                gemmCase(backend, dtype, ta, tb, alpha, beta, s, beta < 0, failures);
              }
            }
          }
        }
      }
    }
    return failures;
  }

  /** One case; beta &lt; 0 means beta = 0 with NaN in c. */
  private static void gemmCase(GemmBackend backend, DType dtype, Trans ta, Trans tb, double alpha,
      double beta, int[] s, boolean nanInC, List<String> failures) {
    int m = s[0];
    int n = s[1];
    int k = s[2];
    int pad = s[3];
    int off = s[4];
    Random rnd = new Random(31L * m + 17L * n + k + 5L * ta.ordinal() + tb.ordinal());
    int rowsA = ta == Trans.N ? m : k;
    int colsA = ta == Trans.N ? k : m;
    int rowsB = tb == Trans.N ? k : n;
    int colsB = tb == Trans.N ? n : k;
    int lda = Math.max(1, colsA) + pad;
    int ldb = Math.max(1, colsB) + pad;
    int ldc = Math.max(1, n) + pad;
    double[] a = operand(rnd, rowsA, colsA, lda, off, Double.NaN, false);
    double[] b = operand(rnd, rowsB, colsB, ldb, off, Double.NaN, false);
    double[] c = operand(rnd, m, n, ldc, off, 7.25, nanInC);
    double realBeta = nanInC ? 0.0 : beta;
    String name = backend.name() + " " + dtype.label() + " " + ta + tb + " alpha=" + alpha
        + " beta=" + realBeta + (nanInC ? " (NaN in c)" : "") + " " + m + "x" + n + "x" + k
        + (pad + off > 0 ? " ld+" + pad + " off " + off : "");
    if (dtype == DType.FLOAT64) {
      double[] expected = c.clone();
      ReferenceGemm.INSTANCE.dgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, realBeta,
          expected, off, ldc);
      backend.dgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, realBeta, c, off, ldc);
      compare(name, c, expected, 1e-14 * Math.max(1, k), 1e-12, failures);
    } else {
      float[] af = toFloats(a);
      float[] bf = toFloats(b);
      float[] cf = toFloats(c);
      float[] expected = cf.clone();
      ReferenceGemm.INSTANCE.sgemm(ta, tb, m, n, k, (float) alpha, af, off, lda, bf, off, ldb,
          (float) realBeta, expected, off, ldc);
      backend.sgemm(ta, tb, m, n, k, (float) alpha, af, off, lda, bf, off, ldb, (float) realBeta,
          cf, off, ldc);
      compare(name, toDoubles(cf), toDoubles(expected), 1e-6 * Math.max(1, k), 1e-5, failures);
    }
  }

  /**
   * A multi-block mse training pass on the device against {@link LinearKernels} on the
   * reference backend: loss, dW and db. With {@code cached}, the pass runs twice through the
   * device block cache (the second time every block is resident) and must give the same sums.
   */
  public static List<String> trainingPass(CudaBackend backend, DType dtype, boolean cached) {
    int d = 37;
    int k = 11;
    int[] blockRows = {50, 50, 23, 0, 1};
    long total = 124;
    Random rnd = new Random(7);
    DenseBlock w = random(rnd, d, k).toDType(dtype);
    double[] b = random(rnd, 1, k).doubles();
    List<DenseBlock[]> blocks = new ArrayList<>();
    for (int rows : blockRows) {
      blocks.add(new DenseBlock[] {random(rnd, rows, d).toDType(dtype),
          random(rnd, rows, k).toDType(dtype)});
    }
    LinearKernels kernels = new LinearKernels(ReferenceGemm.INSTANCE);
    LossHead head = LossHeads.of("mse", total);
    GradientAccumulator expected = new GradientAccumulator(d, k);
    for (DenseBlock[] xt : blocks) {
      DenseBlock y = kernels.forward(xt[0], w, b);
      DenseBlock g = DenseBlock.zeros(dtype, y.numRows(), k);
      expected.addLoss(head.lossAndGradient(y, Labels.targets(xt[1]), g), y.numRows());
      kernels.accumulateGradients(xt[0], g, expected);
    }
    List<String> failures = new ArrayList<>();
    double atol = dtype == DType.FLOAT64 ? 1e-12 : 2e-4;
    double rtol = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
    long budget = cached ? 1L << 30 : 0;
    backend.blockCache().setBudget(budget);
    String what = "pass " + dtype.label() + (cached ? " cached" : " streamed");
    for (int round = 0; round < (cached ? 2 : 1); round++) {
      GradientAccumulator actual = new GradientAccumulator(d, k);
      try (CudaTrainingPass pass = new CudaTrainingPass(backend, w, b, 50, total)) {
        for (int i = 0; i < blocks.size(); i++) {
          Object key = cached ? "check-" + dtype + "-" + i : null;
          pass.addBlock(blocks.get(i)[0], blocks.get(i)[1], key == null ? null : key + "x",
              key == null ? null : key + "t");
        }
        pass.finish(actual);
        if (cached && round == 1 && pass.bytesUploaded() != 0) {
          failures.add(what + ": second round uploaded " + pass.bytesUploaded()
              + " bytes (expected 0: every block resident)");
        }
      }
      String r = what + " round " + round;
      compare(r + " dW", actual.dw(), expected.dw(), atol, rtol, failures);
      compare(r + " db", actual.db(), expected.db(), atol, rtol, failures);
      compare(r + " loss", new double[] {actual.loss()}, new double[] {expected.loss()}, atol,
          rtol, failures);
      if (actual.numRows() != total) {
        failures.add(r + ": " + actual.numRows() + " rows, expected " + total);
      }
    }
    backend.blockCache().clear();
    return failures;
  }

  private static void compare(String what, double[] actual, double[] expected, double atol,
      double rtol, List<String> failures) {
    for (int i = 0; i < expected.length; i++) {
      double a = actual[i];
      double r = expected[i];
      boolean same = Double.compare(a, r) == 0 || Math.abs(a - r) <= atol + rtol * Math.abs(r);
      if (!same) {
        failures.add(what + ": index " + i + " got " + a + ", expected " + r);
        return;
      }
    }
  }

  private static double[] operand(Random rnd, int rows, int cols, int ld, int off,
      double padding, boolean nan) {
    double[] v = new double[off + rows * ld + 3];
    Arrays.fill(v, padding);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        v[off + r * ld + c] = nan ? Double.NaN : 2 * rnd.nextDouble() - 1;
      }
    }
    return v;
  }

  static DenseBlock random(Random rnd, int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * rnd.nextDouble() - 1;
    }
    return DenseBlock.ofDoubles(rows, cols, v);
  }

  private static float[] toFloats(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  private static double[] toDoubles(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
