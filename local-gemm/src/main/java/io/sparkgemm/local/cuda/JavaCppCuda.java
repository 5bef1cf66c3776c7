package io.sparkgemm.local.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_POINTER_MODE_DEVICE;
import static org.bytedeco.cuda.global.cublas.CUBLAS_POINTER_MODE_HOST;
import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Trans;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * CUDA 13 through JavaCPP ({@code org.bytedeco:cuda}). Its JNI libraries need the host's
 * {@code libcuda.so.1}, {@code libcudart.so.13}, {@code libcublas.so.13} and
 * {@code libcublasLt.so.13} (found through {@code LD_LIBRARY_PATH} or the loader's paths).
 * Loaded only by {@link CudaLoader}.
 */
final class JavaCppCuda implements CudaBinding {
  private final String library;

  private JavaCppCuda(String library) {
    this.library = library;
  }

  /** Loads the JNI libraries; throws the loader's error (UnsatisfiedLinkError, ...) as is. */
  static CudaBinding load() {
    Loader.load(cudart.class);
    Loader.load(cublas.class);
    String file = Loader.getLoadedLibraries().entrySet().stream()
        .filter(e -> e.getKey().startsWith("jnicublas"))
        .map(Map.Entry::getValue).findFirst().orElse("jnicublas");
    return new JavaCppCuda(file + " (+ " + CudaLoader.mappedFiles("libcublas", "libcudart") + ")");
  }

  @Override
  public String binding() {
    return "JavaCPP org.bytedeco:cuda " + CudaLoader.buildProperty("bytedeco.cuda.version");
  }

  @Override
  public String versions() {
    int[] runtime = {0};
    int[] driver = {0};
    cudart.cudaRuntimeGetVersion(runtime);
    cudart.cudaDriverGetVersion(driver);
    int[] major = {0};
    int[] minor = {0};
    int[] patch = {0};
    cublas.cublasGetProperty(0, major);
    cublas.cublasGetProperty(1, minor);
    cublas.cublasGetProperty(2, patch);
    return "cuBLAS " + major[0] + "." + minor[0] + "." + patch[0] + ", CUDA runtime "
        + CudaLoader.versionText(runtime[0]) + ", driver " + CudaLoader.versionText(driver[0]);
  }

  @Override
  public String library() {
    return library;
  }

  @Override
  public int deviceCount() {
    int[] count = {0};
    int status = cudart.cudaGetDeviceCount(count);
    if (status != cudaSuccess) {
      throw new CudaException("cudaGetDeviceCount failed: " + errorText(status));
    }
    return count[0];
  }

  @Override
  public String deviceName(int device) {
    try (cudaDeviceProp props = new cudaDeviceProp()) {
      check(cudart.cudaGetDeviceProperties(props, device), "cudaGetDeviceProperties");
      return props.name().getString().trim() + " (" + (props.totalGlobalMem() >> 30) + " GiB)";
    }
  }

  @Override
  public CudaLane openLane(int device, boolean allowTf32) {
    return new Lane(device, allowTf32);
  }

  static String errorText(int status) {
    BytePointer text = cudart.cudaGetErrorString(status);
    return status + " (" + (text == null ? "unknown" : text.getString()) + ")";
  }

  static void check(int status, String call) {
    if (status != cudaSuccess) {
      throw new CudaException(call + " failed: " + errorText(status));
    }
  }

  static void checkBlas(int status, String call) {
    if (status != CUBLAS_STATUS_SUCCESS) {
      BytePointer text = cublas.cublasGetStatusString(status);
      throw new CudaException(call + " failed: cuBLAS status " + status + " ("
          + (text == null ? "unknown" : text.getString()) + ")");
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
        check(cudart.cudaFree(pointer), "cudaFree");
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
      this.buffer = new BytePointer(pointer).capacity(bytes).asByteBuffer()
          .order(ByteOrder.nativeOrder());
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
        check(cudart.cudaFreeHost(pointer), "cudaFreeHost");
      }
    }
  }

  private static final class Lane implements CudaLane {
    private final int device;
    private final cublasContext handle = new cublasContext();
    private final CUstream_st compute = new CUstream_st();
    private final CUstream_st copy = new CUstream_st();
    private final CUevent_st computeDone = new CUevent_st();
    private final CUevent_st copyDone = new CUevent_st();
    // Host scalars for alpha and beta (pointer mode host: read when the call is made).
    private final DoublePointer alphaD = new DoublePointer(1);
    private final DoublePointer betaD = new DoublePointer(1);
    private final FloatPointer alphaF = new FloatPointer(1);
    private final FloatPointer betaF = new FloatPointer(1);

    Lane(int device, boolean allowTf32) {
      this.device = device;
      check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
      check(cudart.cudaStreamCreate(compute), "cudaStreamCreate");
      check(cudart.cudaStreamCreate(copy), "cudaStreamCreate");
      check(cudart.cudaEventCreateWithFlags(computeDone, cudaEventDisableTiming),
          "cudaEventCreateWithFlags");
      check(cudart.cudaEventCreateWithFlags(copyDone, cudaEventDisableTiming),
          "cudaEventCreateWithFlags");
      checkBlas(cublas.cublasCreate_v2(handle), "cublasCreate");
      checkBlas(cublas.cublasSetStream_v2(handle, compute), "cublasSetStream");
      // DEFAULT_MATH keeps float32 in full float32 precision; TF32 only when asked for.
      checkBlas(cublas.cublasSetMathMode(handle,
          allowTf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    private CUstream_st stream(Stream stream) {
      return stream == Stream.COMPUTE ? compute : copy;
    }

    private static Pointer at(DeviceMemory memory, long byteOffset) {
      return new BytePointer(((Device) memory).pointer).position(byteOffset);
    }

    private static DoublePointer doubles(DeviceMemory memory, long offset) {
      return new DoublePointer(((Device) memory).pointer).position(offset);
    }

    private static FloatPointer floats(DeviceMemory memory, long offset) {
      return new FloatPointer(((Device) memory).pointer).position(offset);
    }

    private static int op(Trans trans) {
      return trans == Trans.N ? CUBLAS_OP_N : CUBLAS_OP_T;
    }

    @Override
    public int device() {
      return device;
    }

    @Override
    public DeviceMemory allocate(long bytes) {
      check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
      Pointer pointer = new Pointer();
      check(cudart.cudaMalloc(pointer, Math.max(1, bytes)), "cudaMalloc(" + bytes + " bytes)");
      return new Device(pointer, bytes);
    }

    @Override
    public PinnedMemory allocatePinned(long bytes) {
      Pointer pointer = new Pointer();
      check(cudart.cudaMallocHost(pointer, Math.max(1, bytes)),
          "cudaMallocHost(" + bytes + " bytes)");
      return new Pinned(pointer, bytes);
    }

    @Override
    public void upload(PinnedMemory src, long srcOffset, DeviceMemory dst, long dstOffset,
        long bytes, Stream stream) {
      Pointer from = new BytePointer(((Pinned) src).pointer).position(srcOffset);
      check(cudart.cudaMemcpyAsync(at(dst, dstOffset), from, bytes, cudaMemcpyHostToDevice,
          stream(stream)), "cudaMemcpyAsync(host to device, " + bytes + " bytes)");
    }

    @Override
    public void download(DeviceMemory src, long srcOffset, PinnedMemory dst, long dstOffset,
        long bytes, Stream stream) {
      Pointer to = new BytePointer(((Pinned) dst).pointer).position(dstOffset);
      check(cudart.cudaMemcpyAsync(to, at(src, srcOffset), bytes, cudaMemcpyDeviceToHost,
          stream(stream)), "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
    }

    @Override
    public void zero(DeviceMemory memory, long offset, long bytes, Stream stream) {
      check(cudart.cudaMemsetAsync(at(memory, offset), 0, bytes, stream(stream)),
          "cudaMemsetAsync");
    }

    @Override
    public void gemm(DType dtype, Trans transA, Trans transB, int m, int n, int k, double alpha,
        DeviceMemory a, long offA, int lda, DeviceMemory b, long offB, int ldb, double beta,
        DeviceMemory c, long offC, int ldc) {
      if (dtype == DType.FLOAT64) {
        checkBlas(cublas.cublasDgemm_v2(handle, op(transA), op(transB), m, n, k,
            alphaD.put(alpha), doubles(a, offA), lda, doubles(b, offB), ldb,
            betaD.put(beta), doubles(c, offC), ldc), "cublasDgemm");
      } else {
        checkBlas(cublas.cublasSgemm_v2(handle, op(transA), op(transB), m, n, k,
            alphaF.put((float) alpha), floats(a, offA), lda, floats(b, offB), ldb,
            betaF.put((float) beta), floats(c, offC), ldc), "cublasSgemm");
      }
    }

    @Override
    public void geam(DType dtype, int m, int n, double alpha, DeviceMemory a, long offA, int lda,
        double beta, DeviceMemory b, long offB, int ldb, DeviceMemory c, long offC, int ldc) {
      if (dtype == DType.FLOAT64) {
        checkBlas(cublas.cublasDgeam(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n,
            alphaD.put(alpha), doubles(a, offA), lda, betaD.put(beta), doubles(b, offB),
            ldb, doubles(c, offC), ldc), "cublasDgeam");
      } else {
        checkBlas(cublas.cublasSgeam(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n,
            alphaF.put((float) alpha), floats(a, offA), lda, betaF.put((float) beta),
            floats(b, offB), ldb, floats(c, offC), ldc), "cublasSgeam");
      }
    }

    @Override
    public void squaredNorm(DType dtype, int n, DeviceMemory x, long offX, DeviceMemory result,
        long offResult) {
      checkBlas(cublas.cublasSetPointerMode_v2(handle, CUBLAS_POINTER_MODE_DEVICE),
          "cublasSetPointerMode");
      try {
        if (dtype == DType.FLOAT64) {
          checkBlas(cublas.cublasDdot_v2(handle, n, doubles(x, offX), 1, doubles(x, offX), 1,
              doubles(result, offResult)), "cublasDdot");
        } else {
          checkBlas(cublas.cublasSdot_v2(handle, n, floats(x, offX), 1, floats(x, offX), 1,
              floats(result, offResult)), "cublasSdot");
        }
      } finally {
        checkBlas(cublas.cublasSetPointerMode_v2(handle, CUBLAS_POINTER_MODE_HOST),
            "cublasSetPointerMode");
      }
    }

    @Override
    public void await(Stream waiter, Stream signaller) {
      CUevent_st event = signaller == Stream.COMPUTE ? computeDone : copyDone;
      check(cudart.cudaEventRecord(event, stream(signaller)), "cudaEventRecord");
      check(cudart.cudaStreamWaitEvent(stream(waiter), event, 0), "cudaStreamWaitEvent");
    }

    @Override
    public void synchronize(Stream stream) {
      check(cudart.cudaStreamSynchronize(stream(stream)), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
      cublas.cublasDestroy_v2(handle);
      cudart.cudaEventDestroy(computeDone);
      cudart.cudaEventDestroy(copyDone);
      cudart.cudaStreamDestroy(compute);
      cudart.cudaStreamDestroy(copy);
      alphaD.close();
      betaD.close();
      alphaF.close();
      betaF.close();
    }
  }
}
