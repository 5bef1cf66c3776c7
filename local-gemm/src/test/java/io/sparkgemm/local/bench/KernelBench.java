package io.sparkgemm.local.bench;

import dev.ludovic.netlib.blas.NativeBLAS;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One block's forward + backward (y = x w + b, dx = g wᵀ, dw += xᵀ g, db += 1ᵀ g) through
 * {@link LinearKernels} on the native backend, against the three raw netlib GEMM calls the
 * kernels make. The difference is the kernels' overhead (checks, bias, column sums, float32
 * partial added into float64). Likewise the training step, {@link LinearKernels#backward} with
 * the softmax-ce head, against its two GEMMs: the difference is mostly the softmax. Run with
 * scripts/bench-kernels.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class KernelBench {

  /** rows x inFeatures x outFeatures (n x d x k). */
  @Param({"4096x512x256", "1024x256x256", "512x1024x256"})
  public String shape;

  @Param({"float64", "float32"})
  public String dtype;

  private LinearKernels kernels;
  private NativeBLAS blas;
  private int n;
  private int d;
  private int k;
  private DenseBlock x;
  private DenseBlock w;
  private DenseBlock g;
  private DenseBlock y;
  private DenseBlock dx;
  private double[] b;
  private GradientAccumulator acc;
  private float[] partial;
  private LossHead softmax;
  private Labels classes;

  @Setup(Level.Trial)
  public void setUp() {
    String[] dims = shape.split("x");
    n = Integer.parseInt(dims[0]);
    d = Integer.parseInt(dims[1]);
    k = Integer.parseInt(dims[2]);
    kernels = new LinearKernels(Backends.nativeBackend(BackendOptions.named("native")));
    blas = NativeBLAS.getInstance();
    DType type = DType.parse(dtype);
    Random random = new Random(7);
    x = random(random, n, d).toDType(type);
    w = random(random, d, k).toDType(type);
    g = random(random, n, k).toDType(type);
    y = DenseBlock.zeros(type, n, k);
    dx = DenseBlock.zeros(type, n, d);
    b = random.doubles(k).toArray();
    acc = new GradientAccumulator(d, k);
    partial = new float[d * k];
    softmax = LossHeads.of(Loss.SOFTMAX_CE, 100_000);
    classes = Labels.classes(random.ints(n, 0, k).toArray());
  }

  private static DenseBlock random(Random random, int rows, int cols) {
    return DenseBlock.ofDoubles(rows, cols, random.doubles((long) rows * cols, -1, 1).toArray());
  }

  @Benchmark
  public GradientAccumulator kernels() {
    kernels.forward(x, w, b, y);
    kernels.inputGradient(g, w, dx);
    kernels.accumulateGradients(x, g, acc);
    return acc;
  }

  /** One block's softmax-ce training step: y = x w + b, g = softmax-ce(y), dw += xᵀ g, db. */
  @Benchmark
  public GradientAccumulator softmaxStep() {
    kernels.backward(x, w, b, softmax, classes, y, g, null, acc);
    return acc;
  }

  /** The two GEMMs of {@link #softmaxStep} as netlib calls (y = x w, dw += xᵀ g), no more. */
  @Benchmark
  public Object rawSoftmaxGemms() {
    if (x.dtype() == DType.FLOAT64) {
      blas.dgemm("N", "N", k, n, d, 1.0, w.doubles(), 0, k, x.doubles(), 0, d, 0.0,
          y.doubles(), 0, k);
      blas.dgemm("N", "T", k, d, n, 1.0, g.doubles(), 0, k, x.doubles(), 0, d, 1.0,
          acc.dw(), 0, k);
      return acc;
    }
    blas.sgemm("N", "N", k, n, d, 1.0f, w.floats(), 0, k, x.floats(), 0, d, 0.0f,
        y.floats(), 0, k);
    blas.sgemm("N", "T", k, d, n, 1.0f, g.floats(), 0, k, x.floats(), 0, d, 0.0f,
        partial, 0, k);
    return partial;
  }

  /** The same three GEMMs as column-major netlib calls (operands swapped), nothing else. */
  @Benchmark
  public Object rawGemm() {
    if (x.dtype() == DType.FLOAT64) {
      blas.dgemm("N", "N", k, n, d, 1.0, w.doubles(), 0, k, x.doubles(), 0, d, 0.0,
          y.doubles(), 0, k);
      blas.dgemm("T", "N", d, n, k, 1.0, w.doubles(), 0, k, g.doubles(), 0, k, 0.0,
          dx.doubles(), 0, d);
      blas.dgemm("N", "T", k, d, n, 1.0, g.doubles(), 0, k, x.doubles(), 0, d, 1.0,
          acc.dw(), 0, k);
      return acc;
    }
    blas.sgemm("N", "N", k, n, d, 1.0f, w.floats(), 0, k, x.floats(), 0, d, 0.0f,
        y.floats(), 0, k);
    blas.sgemm("T", "N", d, n, k, 1.0f, w.floats(), 0, k, g.floats(), 0, k, 0.0f,
        dx.floats(), 0, d);
    blas.sgemm("N", "T", k, d, n, 1.0f, g.floats(), 0, k, x.floats(), 0, d, 0.0f,
        partial, 0, k);
    return partial;
  }
}
