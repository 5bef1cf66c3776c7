package io.sparkgemm.local.backend;

/** A GEMM backend could not be loaded; the message and cause carry the loader's reason. */
public class BackendUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public BackendUnavailableException(String message) {
    super(message);
  }
}
