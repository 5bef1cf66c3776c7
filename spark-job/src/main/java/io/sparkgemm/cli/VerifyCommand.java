package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.GradientCheck;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spark-gemm verify}: the seed's worked example checked exactly, mean-loss scaling, and a
 * finite-difference check of dW, dX and db for every loss head in both dtypes.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Run the worked example (Y = XW + b, L = sum(Y)) and check Y, dL/dW, dL/dX, "
        + "dL/db exactly; then check every loss head's gradients against central finite "
        + "differences in float64 and float32. One PASS/FAIL line per check; exit 1 on any FAIL.")
final class VerifyCommand implements Callable<Integer> {
  static final double FLOAT64_TOLERANCE = 1e-6;
  static final double FLOAT32_TOLERANCE = 1e-5;

  @Spec
  CommandSpec spec;

  @Mixin
  BackendMixin backend;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random layer for "
      + "the finite-difference checks. Default: ${DEFAULT-VALUE}.")
  long seed;

  private PrintWriter out;
  private int passed;
  private int failed;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    GemmBackend gemm = Backends.select(backend.options());
    LinearKernels kernels = new LinearKernels(gemm);
    out.println("Backend: " + gemm.info().describe());
    for (DType dtype : DType.values()) {
      seedExample(kernels, dtype);
    }
    meanScaling(kernels);
    for (DType dtype : DType.values()) {
      for (Loss head : Loss.values()) {
        finiteDifferences(kernels, head, dtype);
      }
    }
    out.printf("verify: %d checks passed, %d failed%n", passed, failed);
    out.flush();
    return failed == 0 ? SparkGemmCli.OK : SparkGemmCli.FAILURE;
  }

  private void seedExample(LinearKernels kernels, DType dtype) {
    DenseBlock x = SeedExample.x().toDType(dtype);
    DenseBlock w = SeedExample.w().toDType(dtype);
    DenseBlock y = kernels.forward(x, w, SeedExample.B);
    DenseBlock g = DenseBlock.zeros(dtype, y.numRows(), y.numCols());
    double loss = LossHeads.of("sum", x.numRows()).lossAndGradient(y, null, g);
    GradientAccumulator acc = new GradientAccumulator(w.numRows(), w.numCols());
    kernels.accumulateGradients(x, g, acc);
    DenseBlock dx = kernels.inputGradient(g, w);

    out.printf("%nWorked example (%s): X %s, W %s, b %s, L = sum(Y)%n", dtype.label(),
        x.shape(), w.shape(), w.numCols());
    out.println("Y:\n" + format(y.toRows()));
    out.println("dL/dW:\n" + format(acc.dwBlock().toRows()));
    out.println("dL/dX:\n" + format(dx.toRows()));
    out.println("dL/db: " + format(acc.db()));
    out.println("L = " + number(loss));
    boolean exact = Arrays.deepEquals(y.toRows(), SeedExample.Y)
        && Arrays.deepEquals(acc.dwBlock().toRows(), SeedExample.DW)
        && Arrays.deepEquals(dx.toRows(), SeedExample.DX)
        && Arrays.equals(acc.db(), SeedExample.DB);
    report(exact, "worked example " + dtype.label() + ": Y, dL/dW, dL/dX, dL/db equal the "
        + "expected values exactly, shapes " + y.shape() + ", " + w.shape() + ", " + x.shape()
        + ", " + w.numCols());
  }

  /** The seed's loss-scaling note: L = mean(Y) has gradients 1/n those of L = sum(Y). */
  private void meanScaling(LinearKernels kernels) {
    DenseBlock x = SeedExample.x();
    DenseBlock w = SeedExample.w();
    int n = x.numRows();
    GradientAccumulator sum = gradients(kernels, LossHeads.of("sum", n), x, w);
    GradientAccumulator mean = gradients(kernels, LossHeads.of("mean", n), x, w);
    double worst = 0.0;
    for (int i = 0; i < sum.dw().length; i++) {
      worst = Math.max(worst, Math.abs(mean.dw()[i] * n - sum.dw()[i]) / Math.abs(sum.dw()[i]));
    }
    for (int j = 0; j < sum.db().length; j++) {
      worst = Math.max(worst, Math.abs(mean.db()[j] * n - sum.db()[j]) / Math.abs(sum.db()[j]));
    }
    out.println();
    report(worst <= 1e-15, String.format("mean-loss scaling: n * dL/dW(mean) = dL/dW(sum) and "
        + "n * dL/db(mean) = dL/db(sum) for n = %d (max rel. difference %.1e)", n, worst));
  }

  private static GradientAccumulator gradients(LinearKernels kernels, LossHead head,
      DenseBlock x, DenseBlock w) {
    DenseBlock y = kernels.forward(x, w, SeedExample.B);
    DenseBlock g = DenseBlock.zeros(y.dtype(), y.numRows(), y.numCols());
    head.lossAndGradient(y, null, g);
    GradientAccumulator acc = new GradientAccumulator(w.numRows(), w.numCols());
    kernels.accumulateGradients(x, g, acc);
    return acc;
  }

  private void finiteDifferences(LinearKernels kernels, Loss head, DType dtype) {
    int n = 6;
    int d = 5;
    int k = 4;
    Random random = new Random(seed);
    DenseBlock x = randomBlock(random, n, d);
    DenseBlock w = randomBlock(random, d, k);
    double[] b = random.doubles(k, -1, 1).toArray();
    Labels labels = null;
    if (head == Loss.MSE) {
      labels = Labels.targets(randomBlock(random, n, k));
    } else if (head == Loss.SOFTMAX_CE) {
      labels = Labels.classes(random.ints(n, 0, k).toArray());
    } else if (head == Loss.SUPPLIED) {
      labels = Labels.gradient(randomBlock(random, n, k).toDType(dtype));
    }
    double tolerance = dtype == DType.FLOAT64 ? FLOAT64_TOLERANCE : FLOAT32_TOLERANCE;
    GradientCheck.Result r = GradientCheck.check(kernels, LossHeads.of(head, n),
        x.toDType(dtype), w.toDType(dtype), b, labels, 1e-6);
    boolean finite = Double.isFinite(r.maxError());
    report(finite && r.maxError() <= tolerance, String.format("finite differences %-10s %s: "
        + "rel. error dW %.1e, dX %.1e, db %.1e (limit %.0e)", head.label(), dtype.label(),
        r.dwError(), r.dxError(), r.dbError(), tolerance));
  }

  private static DenseBlock randomBlock(Random random, int rows, int cols) {
    return DenseBlock.ofDoubles(rows, cols, random.doubles((long) rows * cols, -1, 1).toArray());
  }

  private void report(boolean ok, String text) {
    if (ok) {
      passed++;
    } else {
      failed++;
    }
    out.println((ok ? "PASS  " : "FAIL  ") + text);
  }

  static String format(double[][] rows) {
    return Arrays.stream(rows).map(r -> "  " + format(r)).collect(Collectors.joining("\n"));
  }

  static String format(double[] row) {
    return Arrays.stream(row).mapToObj(VerifyCommand::number)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  static String number(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v).stripTrailingZeros().toPlainString()
        : Double.toString(v);
  }
}
