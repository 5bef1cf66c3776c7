package io.sparkgemm.local.backend;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * How to choose and set up a GEMM backend.
 *
 * @param name {@code auto}, {@code native}, {@code java}, {@code reference} or {@code cuda}
 * @param threads BLAS threads per calling thread (Spark already runs one task per core, so 1 by
 *     default; set it to {@code spark.task.cpus})
 * @param nativeLibPath a BLAS shared library to use instead of the bundled OpenBLAS (MKL, a
 *     system OpenBLAS, ...), or null
 * @param device the CUDA device ordinal for the cuda backend (Spark passes the task's "gpu"
 *     resource address); 0 by default
 * @param allowTf32 let float32 GEMMs on the cuda backend use TF32 tensor cores (10-bit
 *     mantissa inputs: much faster, about 1e-3 relative error); off unless asked for
 * @param deviceCacheBytes the cuda backend's budget for device-resident blocks kept across
 *     passes (least recently used evicted first); 0 keeps nothing on the device between passes
 */
public record BackendOptions(String name, int threads, String nativeLibPath, int device,
    boolean allowTf32, long deviceCacheBytes) implements Serializable {
  public static final List<String> NAMES = List.of("auto", "native", "java", "reference", "cuda");

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
    if (device < 0) {
      throw new IllegalArgumentException("CUDA device must be >= 0, got " + device);
    }
    if (deviceCacheBytes < 0) {
      throw new IllegalArgumentException("Device block cache budget must be >= 0 bytes, got "
          + deviceCacheBytes);
    }
  }

  /** Device 0, no TF32, no device-resident block cache. */
  public BackendOptions(String name, int threads, String nativeLibPath) {
    this(name, threads, nativeLibPath, 0, false, 0L);
  }

  public static BackendOptions defaults() {
    return new BackendOptions("auto", 1, null);
  }

  public static BackendOptions named(String name) {
    return new BackendOptions(name, 1, null);
  }

  /** The same options on another CUDA device (e.g. the one Spark assigned to the task). */
  public BackendOptions withDevice(int ordinal) {
    return new BackendOptions(name, threads, nativeLibPath, ordinal, allowTf32, deviceCacheBytes);
  }

  /** The same options with TF32 allowed or not. */
  public BackendOptions withAllowTf32(boolean allow) {
    return new BackendOptions(name, threads, nativeLibPath, device, allow, deviceCacheBytes);
  }

  /** The same options with another device block cache budget. */
  public BackendOptions withDeviceCacheBytes(long bytes) {
    return new BackendOptions(name, threads, nativeLibPath, device, allowTf32, bytes);
  }
}
