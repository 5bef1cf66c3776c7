package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Trans;
import java.nio.ByteBuffer;

/**
 * One thread's cuBLAS handle and its two CUDA streams. Everything here is column-major BLAS on
 * device memory and asynchronous on the named stream unless it says otherwise; row-major callers
 * go through {@link io.sparkgemm.local.backend.ColumnMajorBlas#rowMajor}. Offsets are in elements
 * for BLAS calls and in bytes for copies. Not thread-safe: a lane belongs to one thread.
 */
interface CudaLane extends AutoCloseable {

  /** Kernels and the copies they wait for run on COMPUTE; prefetches of the next block on COPY. */
  enum Stream { COMPUTE, COPY }

  /** Device memory; {@link #close} frees it (cudaFree synchronises the device). */
  interface DeviceMemory extends AutoCloseable {
    long bytes();

    @Override
    void close();
  }

  /** Page-locked host memory with a native-order direct view of all of it. */
  interface PinnedMemory extends AutoCloseable {
    long bytes();

    ByteBuffer buffer();

    @Override
    void close();
  }

  int device();

  DeviceMemory allocate(long bytes);

  PinnedMemory allocatePinned(long bytes);

  void upload(PinnedMemory src, long srcOffset, DeviceMemory dst, long dstOffset, long bytes,
      Stream stream);

  void download(DeviceMemory src, long srcOffset, PinnedMemory dst, long dstOffset, long bytes,
      Stream stream);

  void zero(DeviceMemory memory, long offset, long bytes, Stream stream);

  /** Column-major {@code C = alpha op(A) op(B) + beta C} on COMPUTE; beta == 0 never reads C. */
  void gemm(DType dtype, Trans transA, Trans transB, int m, int n, int k, double alpha,
      DeviceMemory a, long offA, int lda, DeviceMemory b, long offB, int ldb, double beta,
      DeviceMemory c, long offC, int ldc);

  /** Element-wise {@code C = alpha A + beta B} over m x n column-major; C may be A. On COMPUTE. */
  void geam(DType dtype, int m, int n, double alpha, DeviceMemory a, long offA, int lda,
      double beta, DeviceMemory b, long offB, int ldb, DeviceMemory c, long offC, int ldc);

  /** {@code result[offResult] = x·x} over n elements, written on the device, on COMPUTE. */
  void squaredNorm(DType dtype, int n, DeviceMemory x, long offX, DeviceMemory result,
      long offResult);

  /** {@code waiter} waits (on the device) for the work queued on {@code signaller} so far. */
  void await(Stream waiter, Stream signaller);

  /** Blocks the calling thread until the stream's queued work is done. */
  void synchronize(Stream stream);

  /** Destroys the handle and streams; memory allocated through the lane is freed separately. */
  @Override
  void close();
}
