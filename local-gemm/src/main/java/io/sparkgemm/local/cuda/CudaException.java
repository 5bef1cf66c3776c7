package io.sparkgemm.local.cuda;

/** A CUDA runtime or cuBLAS call failed after the backend loaded; names the call and status. */
public final class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CudaException(String message) {
    super(message);
  }
}
