package io.sparkgemm.cli;

import io.sparkgemm.local.backend.BackendOptions;
import picocli.CommandLine.Option;

/** The backend options every command shares. */
public final class BackendMixin {

  @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME",
      description = "GEMM backend: auto (cuda for large products when a CUDA device is usable, "
          + "else native, else java with a warning), native (OpenBLAS through netlib JNI), java "
          + "(netlib pure Java), reference (naive loops), cuda (cuBLAS: CUDA 13 via JavaCPP or "
          + "CUDA 12 via JCublas). A named backend that cannot load is an error. "
          + "Default: ${DEFAULT-VALUE}.")
  String backend;

  @Option(names = "--blas-threads", defaultValue = "1", paramLabel = "N",
      description = "OpenBLAS threads per task (Spark already runs one task per core). "
          + "Default: ${DEFAULT-VALUE}.")
  int blasThreads;

  @Option(names = "--native-lib", paramLabel = "FILE",
      description = "A BLAS shared library to use instead of the bundled OpenBLAS, e.g. a system "
          + "OpenBLAS or MKL's libmkl_rt.so.")
  String nativeLib;

  @Option(names = "--allow-tf32",
      description = "Let float32 GEMMs on the cuda backend use TF32 tensor cores: several times "
          + "faster, inputs rounded to a 10-bit mantissa (about 1e-3 relative error). Off by "
          + "default.")
  boolean allowTf32;

  @Option(names = "--gpu-cache-mb", defaultValue = "0", paramLabel = "MB",
      description = "Device memory per GPU for keeping input blocks resident across passes "
          + "(least recently used evicted first); 0 keeps none. Default: ${DEFAULT-VALUE}.")
  long gpuCacheMb;

  /**
   * The most --blas-threads: a fixed bound, not the driver's core count (executors may have more
   * cores than the driver). 256 is the NUM_THREADS that OpenBLAS builds allow at most by default;
   * past it OpenBLAS silently uses fewer.
   */
  public static final int MAX_BLAS_THREADS = 256;

  /** @throws IllegalArgumentException for an unknown name or a thread count outside 1..256 */
  public BackendOptions options() {
    if (blasThreads > MAX_BLAS_THREADS) {
      throw new IllegalArgumentException("--blas-threads must be between 1 and "
          + MAX_BLAS_THREADS + " (threads per task; Spark already runs one task per core), got "
          + blasThreads);
    }
    return new BackendOptions(backend, blasThreads, nativeLib, 0, allowTf32, gpuCacheMb << 20);
  }
}
