package io.sparkgemm.local.backend;

/**
 * What a backend runs on, for the one INFO line and for reports.
 *
 * @param name the backend name ({@code native}, {@code java}, ...)
 * @param implementation the mechanism, e.g. {@code netlib JNIBLAS over OpenBLAS 0.3.31}
 * @param library the library file loaded, or {@code -} for pure Java
 * @param version the library's version or configuration, or {@code unknown}
 * @param threads BLAS threads per calling thread, or -1 when unknown
 */
public record BackendInfo(String name, String implementation, String library, String version,
    int threads) {

  /** {@code native (OpenBLAS 0.3.31 ... from /path, 1 thread)} */
  public String describe() {
    String threadText = threads < 0 ? "threads unknown"
        : threads + (threads == 1 ? " thread" : " threads");
    return name + " (" + implementation + ", " + version + ", from " + library + ", " + threadText
        + ")";
  }
}
