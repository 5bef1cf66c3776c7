package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Trans;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasPointerMode;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaError;
import jcuda.runtime.cudaEvent_t;
import jcuda.runtime.cudaMemcpyKind;
import jcuda.runtime.cudaStream_t;

/**
 * CUDA 12 through JCublas ({@code org.jcuda:jcublas 12.6.0}). Its natives (extracted from the
 * {@code jcuda-natives} and {@code jcublas-natives} jars) need the host's {@code libcuda.so.1},
 * {@code libcudart.so.12} and {@code libcublas.so.12}. Loaded only by {@link CudaLoader}.
 */
final class JCublasCuda implements CudaBinding {

  private JCublasCuda() {
  }

  /** Loads JCuda's runtime and JCublas natives; throws the loader's error as is. */
  static CudaBinding load() {
    JCuda.setExceptionsEnabled(false);
    JCublas2.setExceptionsEnabled(false);
    JCuda.initialize();
    JCublas2.initialize();
    return new JCublasCuda();
  }

  @Override
  public String binding() {
    return "JCublas org.jcuda:jcublas " + CudaLoader.buildProperty("jcublas.version");
  }

  @Override
  public String versions() {
    int[] runtime = {0};
    int[] driver = {0};
    JCuda.cudaRuntimeGetVersion(runtime);
    JCuda.cudaDriverGetVersion(driver);
    return "CUDA runtime " + CudaLoader.versionText(runtime[0]) + ", driver "
        + CudaLoader.versionText(driver[0]);
  }

  @Override
  public String library() {
    return CudaLoader.mappedFiles("libcublas", "libcudart");
  }

  @Override
  public int deviceCount() {
    int[] count = {0};
    check(JCuda.cudaGetDeviceCount(count), "cudaGetDeviceCount");
    return count[0];
  }

  @Override
  public String deviceName(int device) {
    cudaDeviceProp props = new cudaDeviceProp();
    check(JCuda.cudaGetDeviceProperties(props, device), "cudaGetDeviceProperties");
    return props.getName().trim() + " (" + (props.totalGlobalMem >> 30) + " GiB)";
  }

  @Override
  public CudaLane openLane(int device, boolean allowTf32) {
    return new Lane(device, allowTf32);
  }

  static void check(int status, String call) {
    if (status != cudaError.cudaSuccess) {
      throw new CudaException(call + " failed: " + status + " ("
          + JCuda.cudaGetErrorString(status) + ")");
    }
  }

  static void checkBlas(int status, String call) {
    if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
      throw new CudaException(call + " failed: cuBLAS status " + cublasStatus.stringFor(status));
    }
  }

  private static final class Device implements CudaLane.DeviceMemory {
    final Pointer pointer;
    final long bytes;
    private boolean freed;

    Device(Pointer pointer, long bytes) {
      this.pointer = pointer;
      this.bytes = bytes;
    }

    @Override
    public long bytes() {
      return bytes;
    }

    @Override
    public synchronized void close() {
      if (!freed) {
        freed = true;
        check(JCuda.cudaFree(pointer), "cudaFree");
      }
    }
  }

  private static final class Pinned implements CudaLane.PinnedMemory {
    final Pointer pointer;
    final long bytes;
    final ByteBuffer buffer;
    private boolean freed;

    Pinned(Pointer pointer, long bytes) {
      this.pointer = pointer;
      this.bytes = bytes;
      this.buffer = pointer.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    public long bytes() {
      return bytes;
    }

    @Override
    public ByteBuffer buffer() {
      return buffer;
    }

    @Override
    public synchronized void close() {
      if (!freed) {
        freed = true;
        check(JCuda.cudaFreeHost(pointer), "cudaFreeHost");
      }
    }
  }

  private static final class Lane implements CudaLane {
    private final int device;
    private final cublasHandle handle = new cublasHandle();
    private final cudaStream_t compute = new cudaStream_t();
    private final cudaStream_t copy = new cudaStream_t();
    private final cudaEvent_t computeDone = new cudaEvent_t();
    private final cudaEvent_t copyDone = new cudaEvent_t();

    Lane(int device, boolean allowTf32) {
      this.device = device;
      check(JCuda.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
      check(JCuda.cudaStreamCreate(compute), "cudaStreamCreate");
      check(JCuda.cudaStreamCreate(copy), "cudaStreamCreate");
      check(JCuda.cudaEventCreateWithFlags(computeDone, 2 /* cudaEventDisableTiming */),
          "cudaEventCreateWithFlags");
      check(JCuda.cudaEventCreateWithFlags(copyDone, 2), "cudaEventCreateWithFlags");
      checkBlas(JCublas2.cublasCreate(handle), "cublasCreate");
      checkBlas(JCublas2.cublasSetStream(handle, compute), "cublasSetStream");
      checkBlas(JCublas2.cublasSetMathMode(handle, allowTf32
          ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH),
          "cublasSetMathMode");
    }

    private cudaStream_t stream(Stream stream) {
      return stream == Stream.COMPUTE ? compute : copy;
    }

    private static Pointer at(DeviceMemory memory, long byteOffset) {
      return ((Device) memory).pointer.withByteOffset(byteOffset);
    }

    private static Pointer at(DType dtype, DeviceMemory memory, long offset) {
      return at(memory, offset * (dtype == DType.FLOAT64 ? Sizeof.DOUBLE : Sizeof.FLOAT));
    }

    private static Pointer scalar(DType dtype, double value) {
      return dtype == DType.FLOAT64 ? Pointer.to(new double[] {value})
          : Pointer.to(new float[] {(float) value});
    }

    private static int op(Trans trans) {
      return trans == Trans.N ? cublasOperation.CUBLAS_OP_N : cublasOperation.CUBLAS_OP_T;
    }

    @Override
    public int device() {
      return device;
    }

    @Override
    public DeviceMemory allocate(long bytes) {
      check(JCuda.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
      Pointer pointer = new Pointer();
      check(JCuda.cudaMalloc(pointer, Math.max(1, bytes)), "cudaMalloc(" + bytes + " bytes)");
      return new Device(pointer, bytes);
    }

    @Override
    public PinnedMemory allocatePinned(long bytes) {
      Pointer pointer = new Pointer();
      check(JCuda.cudaHostAlloc(pointer, Math.max(1, bytes), 0), "cudaHostAlloc(" + bytes
          + " bytes)");
      return new Pinned(pointer, bytes);
    }

    @Override
    public void upload(PinnedMemory src, long srcOffset, DeviceMemory dst, long dstOffset,
        long bytes, Stream stream) {
      check(JCuda.cudaMemcpyAsync(at(dst, dstOffset),
          ((Pinned) src).pointer.withByteOffset(srcOffset), bytes,
          cudaMemcpyKind.cudaMemcpyHostToDevice, stream(stream)),
          "cudaMemcpyAsync(host to device)");
    }

    @Override
    public void download(DeviceMemory src, long srcOffset, PinnedMemory dst, long dstOffset,
        long bytes, Stream stream) {
      check(JCuda.cudaMemcpyAsync(((Pinned) dst).pointer.withByteOffset(dstOffset),
          at(src, srcOffset), bytes, cudaMemcpyKind.cudaMemcpyDeviceToHost, stream(stream)),
          "cudaMemcpyAsync(device to host)");
    }

    @Override
    public void zero(DeviceMemory memory, long offset, long bytes, Stream stream) {
      check(JCuda.cudaMemsetAsync(at(memory, offset), 0, bytes, stream(stream)),
          "cudaMemsetAsync");
    }

    @Override
    public void gemm(DType dtype, Trans transA, Trans transB, int m, int n, int k, double alpha,
        DeviceMemory a, long offA, int lda, DeviceMemory b, long offB, int ldb, double beta,
        DeviceMemory c, long offC, int ldc) {
      Pointer pa = at(dtype, a, offA);
      Pointer pb = at(dtype, b, offB);
      Pointer pc = at(dtype, c, offC);
      if (dtype == DType.FLOAT64) {
        checkBlas(JCublas2.cublasDgemm(handle, op(transA), op(transB), m, n, k,
            scalar(dtype, alpha), pa, lda, pb, ldb, scalar(dtype, beta), pc, ldc), "cublasDgemm");
      } else {
        checkBlas(JCublas2.cublasSgemm(handle, op(transA), op(transB), m, n, k,
            scalar(dtype, alpha), pa, lda, pb, ldb, scalar(dtype, beta), pc, ldc), "cublasSgemm");
      }
    }

    @Override
    public void geam(DType dtype, int m, int n, double alpha, DeviceMemory a, long offA, int lda,
        double beta, DeviceMemory b, long offB, int ldb, DeviceMemory c, long offC, int ldc) {
      int opN = cublasOperation.CUBLAS_OP_N;
      if (dtype == DType.FLOAT64) {
        checkBlas(JCublas2.cublasDgeam(handle, opN, opN, m, n, scalar(dtype, alpha),
            at(dtype, a, offA), lda, scalar(dtype, beta), at(dtype, b, offB), ldb,
            at(dtype, c, offC), ldc), "cublasDgeam");
      } else {
        checkBlas(JCublas2.cublasSgeam(handle, opN, opN, m, n, scalar(dtype, alpha),
            at(dtype, a, offA), lda, scalar(dtype, beta), at(dtype, b, offB), ldb,
            at(dtype, c, offC), ldc), "cublasSgeam");
      }
    }

    @Override
    public void squaredNorm(DType dtype, int n, DeviceMemory x, long offX, DeviceMemory result,
        long offResult) {
      checkBlas(JCublas2.cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_DEVICE),
          "cublasSetPointerMode");
      try {
        Pointer px = at(dtype, x, offX);
        Pointer pr = at(dtype, result, offResult);
        checkBlas(dtype == DType.FLOAT64 ? JCublas2.cublasDdot(handle, n, px, 1, px, 1, pr)
            : JCublas2.cublasSdot(handle, n, px, 1, px, 1, pr), "cublas dot");
      } finally {
        checkBlas(JCublas2.cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_HOST),
            "cublasSetPointerMode");
      }
    }

    @Override
    public void await(Stream waiter, Stream signaller) {
      cudaEvent_t event = signaller == Stream.COMPUTE ? computeDone : copyDone;
      check(JCuda.cudaEventRecord(event, stream(signaller)), "cudaEventRecord");
      check(JCuda.cudaStreamWaitEvent(stream(waiter), event, 0), "cudaStreamWaitEvent");
    }

    @Override
    public void synchronize(Stream stream) {
      check(JCuda.cudaStreamSynchronize(stream(stream)), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
      JCublas2.cublasDestroy(handle);
      JCuda.cudaEventDestroy(computeDone);
      JCuda.cudaEventDestroy(copyDone);
      JCuda.cudaStreamDestroy(compute);
      JCuda.cudaStreamDestroy(copy);
    }
  }
}
