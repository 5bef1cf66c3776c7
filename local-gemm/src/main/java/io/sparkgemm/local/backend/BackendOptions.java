package io.sparkgemm.local.backend;

import java.util.List;
import java.util.Locale;

/**
 * How to choose and set up a GEMM backend.
 *
 * @param name {@code auto}, {@code native}, {@code java} or {@code reference}
 * @param threads BLAS threads per calling thread (Spark already runs one task per core, so 1 by
 *     default; set it to {@code spark.task.cpus})
 * @param nativeLibPath a BLAS shared library to use instead of the bundled OpenBLAS (MKL, a
 *     system OpenBLAS, ...), or null
 */
public record BackendOptions(String name, int threads, String nativeLibPath)
    implements java.io.Serializable {
  public static final List<String> NAMES = List.of("auto", "native", "java", "reference");

  public BackendOptions {
    name = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("Unknown backend '" + name + "': expected one of "
          + String.join(", ", NAMES));
    }
    if (threads < 1) {
      throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
    }
    if (nativeLibPath != null && nativeLibPath.isBlank()) {
      nativeLibPath = null;
    }
  }

  public static BackendOptions defaults() {
    return new BackendOptions("auto", 1, null);
  }

  public static BackendOptions named(String name) {
    return new BackendOptions(name, 1, null);
  }
}
