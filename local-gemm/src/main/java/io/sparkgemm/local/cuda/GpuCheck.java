package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.Trans;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.BackendUnavailableException;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.ColumnMajorBlas;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.backend.ReferenceGemm;
import io.sparkgemm.local.cuda.CudaLane.DeviceMemory;
import io.sparkgemm.local.cuda.CudaLane.PinnedMemory;
import io.sparkgemm.local.cuda.CudaLane.Stream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The one-shot GPU check for {@code scripts/gpu-check.sh}, for machines with a GPU but no Maven:
 * {@code check} runs {@link CudaChecks} and the binding checks and exits 0 only if all pass;
 * {@code bench FILE} times the cuda backend (device-resident GEMMs, host-array GEMMs with their
 * copies, and 20-block training passes with X on the heap, in pinned memory and resident on the
 * device) and writes one JSON object per line to FILE. Without a usable device both exit 2 after
 * one line that says why.
 */
public final class GpuCheck {
  private static final int[][] SHAPES = {{4096, 512, 256}, {16384, 4096, 4096},
      {200000, 512, 256}};

  private GpuCheck() {
  }

  public static void main(String[] args) throws IOException {
    PrintStream out = System.out;
    String mode = args.length == 0 ? "check" : args[0];
    CudaBackend cuda;
    try {
      cuda = CudaBackend.open(BackendOptions.named("cuda"));
    } catch (BackendUnavailableException e) {
      out.println("gpu-check: cuda backend unavailable: " + e.getMessage());
      System.exit(2);
      return;
    }
    out.println("gpu-check: " + cuda.info().describe());
    int code = mode.equals("bench") ? bench(cuda, Path.of(args[1]), out) : check(cuda, out);
    System.exit(code);
  }

  static int check(CudaBackend cuda, PrintStream out) {
    List<String> failed = new ArrayList<>();
    report(out, "gemm grid vs reference (float64, float32)", CudaChecks.gemmGrid(cuda), failed);
    for (DType dtype : DType.values()) {
      for (boolean cached : new boolean[] {false, true}) {
        report(out, "mse training pass " + dtype.label() + (cached ? " device-resident" : ""),
            CudaChecks.trainingPass(cuda, dtype, cached), failed);
      }
    }
    List<String> selection = new ArrayList<>();
    GemmBackend named = Backends.select(BackendOptions.named("cuda"));
    if (named != cuda) {
      selection.add("--backend cuda gave " + named.info().describe());
    }
    GemmBackend auto = Backends.select(BackendOptions.defaults());
    if (!auto.name().equals("cuda")) {
      selection.add("auto picked " + auto.name() + " with a device present");
    }
    LinearKernels kernels = new LinearKernels(auto);
    DenseBlock x = CudaChecks.random(new Random(3), 2048, 512);
    DenseBlock w = CudaChecks.random(new Random(4), 512, 256);
    DenseBlock y = kernels.forward(x, w, new double[256]);
    DenseBlock expected = DenseBlock.zeros(DType.FLOAT64, 2048, 256);
    ReferenceGemm.INSTANCE.gemm(Trans.N, Trans.N, 1.0, x, w, 0.0,
        expected);
    for (int i = 0; i < y.doubles().length; i++) {
      if (Math.abs(y.doubles()[i] - expected.doubles()[i]) > 1e-11) {
        selection.add("auto forward differs at " + i);
        break;
      }
    }
    report(out, "backend selection (cuda, auto routes large products to cuda)", selection, failed);
    List<String> jcublas = new ArrayList<>();
    try {
      CudaLoader.load(CudaLoader.Binding.JCUBLAS);
      jcublas.add("JCublas loaded (libcublas.so.12 present?) - the CUDA 12 path is usable here");
    } catch (BackendUnavailableException e) {
      out.println("INFO  jcublas refused cleanly: " + e.getMessage());
    }
    report(out, "jcublas (CUDA 12) refused cleanly without libcublas.so.12", jcublas, failed);
    out.println("INFO  tf32: " + tf32Error());
    out.println(failed.isEmpty() ? "gpu-check: all checks passed"
        : "gpu-check: FAILED " + failed);
    return failed.isEmpty() ? 0 : 1;
  }

  private static void report(PrintStream out, String name, List<String> failures,
      List<String> failed) {
    if (failures.isEmpty()) {
      out.println("PASS  " + name);
    } else {
      failed.add(name);
      out.println("FAIL  " + name + ": " + failures.size() + " mismatches, first: "
          + failures.subList(0, Math.min(5, failures.size())));
    }
  }

  /** Max relative error of a 1024^3 float32 product with TF32 allowed (expected ~1e-3). */
  private static String tf32Error() {
    CudaBackend tf32 = CudaBackend.open(BackendOptions.named("cuda").withAllowTf32(true));
    int n = 1024;
    DenseBlock a = CudaChecks.random(new Random(1), n, n);
    DenseBlock b = CudaChecks.random(new Random(2), n, n);
    DenseBlock exact = DenseBlock.zeros(DType.FLOAT64, n, n);
    CudaBackend.open(BackendOptions.named("cuda")).gemm(Trans.N, Trans.N, 1.0, a, b, 0.0, exact);
    DenseBlock c = DenseBlock.zeros(DType.FLOAT32, n, n);
    tf32.gemm(Trans.N, Trans.N, 1.0, a.toDType(DType.FLOAT32), b.toDType(DType.FLOAT32), 0.0, c);
    double worst = 0;
    double scale = 0;
    for (int i = 0; i < n * n; i++) {
      worst = Math.max(worst, Math.abs(c.floats()[i] - exact.doubles()[i]));
      scale = Math.max(scale, Math.abs(exact.doubles()[i]));
    }
    return String.format(Locale.ROOT, "max |error| / max |c| = %.2e (TF32 ~1e-3, float32 ~1e-6)",
        worst / scale);
  }

  // ---------------------------------------------------------------------------------------------
  // Benchmarks

  static int bench(CudaBackend plain, Path file, PrintStream out) throws IOException {
    CudaBackend tf32 = CudaBackend.open(BackendOptions.named("cuda").withAllowTf32(true));
    List<String> lines = new ArrayList<>();
    for (int[] s : SHAPES) {
      for (String mode : new String[] {"float64", "float32", "tf32"}) {
        CudaBackend backend = mode.equals("tf32") ? tf32 : plain;
        DType dtype = mode.equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
        lines.add(emit(out, deviceGemm(backend, dtype, mode, s[0], s[1], s[2])));
        lines.add(emit(out, hostGemm(backend, dtype, mode, s[0], s[1], s[2])));
      }
    }
    for (String mode : new String[] {"float64", "float32"}) {
      DType dtype = DType.parse(mode);
      for (String where : new String[] {"heap", "pinned", "device"}) {
        lines.add(emit(out, pass(plain, dtype, where, 200000, 512, 256, 20)));
      }
    }
    Files.write(file, lines);
    return 0;
  }

  private static String emit(PrintStream out, String json) {
    out.println(json);
    return json;
  }

  private static String json(String kind, String mode, int n, int d, int k, int reps,
      double seconds, double flops, double bytes) {
    return String.format(Locale.ROOT, "{\"impl\":\"spark-gemm cuda\",\"kind\":\"%s\","
        + "\"dtype\":\"%s\",\"n\":%d,\"d\":%d,\"k\":%d,\"reps\":%d,\"seconds\":%.6e,"
        + "\"tflops\":%.3f,\"gbps\":%.2f}", kind, mode, n, d, k, reps, seconds,
        flops / seconds / 1e12, bytes / seconds / 1e9);
  }

  /** y (n x k) = x (n x d) w (d x k), all on the device: cuBLAS's own rate through our mapping. */
  private static String deviceGemm(CudaBackend backend, DType dtype, String mode, int n, int d,
      int k) {
    CudaLane lane = backend.workspace().lane();
    long size = dtype.bytes();
    try (DeviceMemory x = lane.allocate(n * (long) d * size);
        DeviceMemory w = lane.allocate(d * (long) k * size);
        DeviceMemory y = lane.allocate(n * (long) k * size)) {
      fillRandom(backend, dtype, x, (long) n * d);
      fillRandom(backend, dtype, w, (long) d * k);
      Runnable once = () -> ColumnMajorBlas.rowMajor(Trans.N, Trans.N, n, k, d, x, d, w, k,
          (ta, tb, cm, cn, ck, ca, cla, cb, clb) -> lane.gemm(dtype, ta, tb, cm, cn, ck, 1.0, ca,
              0, cla, cb, 0, clb, 0.0, y, 0, k));
      double flops = 2.0 * n * d * k;
      int reps = (int) Math.max(5, Math.min(200, 2e13 / flops));
      once.run();
      lane.synchronize(Stream.COMPUTE);
      long start = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        once.run();
      }
      lane.synchronize(Stream.COMPUTE);
      double seconds = (System.nanoTime() - start) / 1e9 / reps;
      return json("gemm-device", mode, n, d, k, reps, seconds, flops, 0);
    }
  }

  /** The same product through the GemmBackend interface on Java arrays: copies included. */
  private static String hostGemm(CudaBackend backend, DType dtype, String mode, int n, int d,
      int k) {
    Random rnd = new Random(5);
    DenseBlock x = randomBlock(rnd, dtype, n, d);
    DenseBlock w = randomBlock(rnd, dtype, d, k);
    DenseBlock y = DenseBlock.zeros(dtype, n, k);
    backend.gemm(Trans.N, Trans.N, 1.0, x, w, 0.0, y);
    int reps = 3;
    long start = System.nanoTime();
    for (int r = 0; r < reps; r++) {
      backend.gemm(Trans.N, Trans.N, 1.0, x, w, 0.0, y);
    }
    double seconds = (System.nanoTime() - start) / 1e9 / reps;
    double bytes = ((double) n * d + (double) d * k + (double) n * k) * dtype.bytes();
    return json("gemm-host-arrays", mode, n, d, k, reps, seconds, 2.0 * n * d * k, bytes);
  }

  /** A blocks-block mse training pass; X (and t) on the heap, in pinned memory or on the device. */
  private static String pass(CudaBackend backend, DType dtype, String where, int n, int d, int k,
      int blocks) {
    int rows = n / blocks;
    Random rnd = new Random(9);
    DenseBlock w = randomBlock(rnd, dtype, d, k);
    double[] b = new double[k];
    List<DenseBlock[]> data = new ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      data.add(new DenseBlock[] {randomBlock(rnd, dtype, rows, d), randomBlock(rnd, dtype, rows,
          k)});
    }
    CudaLane lane = backend.workspace().lane();
    List<PinnedMemory[]> pinned = new ArrayList<>();
    if (where.equals("pinned")) {
      for (DenseBlock[] xt : data) {
        pinned.add(new PinnedMemory[] {toPinned(lane, xt[0]), toPinned(lane, xt[1])});
      }
    }
    backend.blockCache().setBudget(where.equals("device") ? 40L << 30 : 0);
    int reps = 3;
    double seconds = 0;
    long moved = 0;
    for (int r = 0; r <= reps; r++) {   // round 0 warms up (and fills the device cache)
      long start = System.nanoTime();
      try (CudaTrainingPass pass = new CudaTrainingPass(backend, w, b, rows, n)) {
        for (int i = 0; i < blocks; i++) {
          if (where.equals("pinned")) {
            pass.addPinnedBlock(rows, pinned.get(i)[0], pinned.get(i)[1]);
          } else {
            boolean keep = where.equals("device");
            pass.addBlock(data.get(i)[0], data.get(i)[1], keep ? "bench-x" + dtype + i : null,
                keep ? "bench-t" + dtype + i : null);
          }
        }
        pass.finish(new GradientAccumulator(d, k));
        if (r > 0) {
          seconds += (System.nanoTime() - start) / 1e9;
          moved += pass.bytesUploaded();
        }
      }
    }
    backend.blockCache().clear();
    for (PinnedMemory[] p : pinned) {
      p[0].close();
      p[1].close();
    }
    seconds /= reps;
    // forward x w and dW = xᵀ g: two n x d x k products per pass
    return json("pass-" + where, dtype.label(), n, d, k, reps, seconds, 4.0 * n * d * k,
        (double) moved / reps);
  }

  private static PinnedMemory toPinned(CudaLane lane, DenseBlock block) {
    long count = (long) block.numRows() * block.numCols();
    PinnedMemory memory = lane.allocatePinned(count * block.dtype().bytes());
    Staging.put(memory.buffer(), block.dtype() == DType.FLOAT64 ? block.doubles()
        : block.floats(), 0, (int) count);
    return memory;
  }

  private static void fillRandom(CudaBackend backend, DType dtype, DeviceMemory target,
      long count) {
    Random rnd = new Random(count);
    Object values;
    if (dtype == DType.FLOAT64) {
      double[] v = new double[(int) count];
      for (int i = 0; i < v.length; i++) {
        v[i] = 2 * rnd.nextDouble() - 1;
      }
      values = v;
    } else {
      float[] v = new float[(int) count];
      for (int i = 0; i < v.length; i++) {
        v[i] = 2 * rnd.nextFloat() - 1;
      }
      values = v;
    }
    backend.workspace().staging().upload(dtype, values, 0, (int) count, target, 0,
        Stream.COMPUTE);
    backend.workspace().lane().synchronize(Stream.COMPUTE);
  }

  private static DenseBlock randomBlock(Random rnd, DType dtype, int rows, int cols) {
    if (dtype == DType.FLOAT64) {
      double[] v = new double[rows * cols];
      for (int i = 0; i < v.length; i++) {
        v[i] = 2 * rnd.nextDouble() - 1;
      }
      return DenseBlock.ofDoubles(rows, cols, v);
    }
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * rnd.nextFloat() - 1;
    }
    return DenseBlock.ofFloats(rows, cols, v);
  }
}
