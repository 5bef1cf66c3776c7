package io.sparkgemm.cli;

import io.sparkgemm.local.backend.BackendOptions;
import picocli.CommandLine.Option;

/** The backend options every command shares. */
public final class BackendMixin {

  @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME",
      description = "GEMM backend: auto (native, else java with a warning), native (OpenBLAS "
          + "through netlib JNI), java (netlib pure Java), reference (naive loops). A named "
          + "backend that cannot load is an error. Default: ${DEFAULT-VALUE}.")
  String backend;

  @Option(names = "--blas-threads", defaultValue = "1", paramLabel = "N",
      description = "OpenBLAS threads per task (Spark already runs one task per core). "
          + "Default: ${DEFAULT-VALUE}.")
  int blasThreads;

  @Option(names = "--native-lib", paramLabel = "FILE",
      description = "A BLAS shared library to use instead of the bundled OpenBLAS, e.g. a system "
          + "OpenBLAS or MKL's libmkl_rt.so.")
  String nativeLib;

  /** @throws IllegalArgumentException for an unknown name or a thread count below 1 */
  public BackendOptions options() {
    return new BackendOptions(backend, blasThreads, nativeLib);
  }
}
