package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Trans;
import io.sparkgemm.local.backend.BackendInfo;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.BackendUnavailableException;
import io.sparkgemm.local.backend.ColumnMajorBlas;
import io.sparkgemm.local.cuda.CudaLane.DeviceMemory;
import io.sparkgemm.local.cuda.CudaLane.Stream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * cuBLAS GEMM on host arrays, through whichever binding loads (JavaCPP for CUDA 13, JCublas for
 * CUDA 12). One instance per device and TF32 setting per JVM, shared by the task threads; each
 * thread gets its own {@link Workspace} (cuBLAS handle, compute and copy streams, pinned staging
 * chunks, device scratch), so task slots never share a stream. A call copies op(A), op(B) and,
 * when it is read, C to the device, multiplies, and copies C back; for whole passes that keep
 * data on the device use {@link CudaTrainingPass}.
 */
public final class CudaBackend extends ColumnMajorBlas {
  private static final Map<String, CudaBackend> OPEN = new HashMap<>();

  private final CudaBinding binding;
  private final int device;
  private final boolean allowTf32;
  private final BackendInfo info;
  private final Set<Workspace> workspaces = ConcurrentHashMap.newKeySet();
  private final ThreadLocal<Workspace> workspace;
  private final DeviceBlockCache<Object, DeviceMemory> cache;

  /** @param chunkBytes the pinned staging chunk size per thread (tests make it small) */
  CudaBackend(CudaBinding binding, int device, boolean allowTf32, int chunkBytes) {
    this.binding = binding;
    this.device = device;
    this.allowTf32 = allowTf32;
    this.info = new BackendInfo("cuda", "cuBLAS via " + binding.binding() + " on device "
        + device + " " + binding.deviceName(device) + ", TF32 " + (allowTf32 ? "allowed" : "off"),
        binding.library(), binding.versions(), 1);
    this.workspace = ThreadLocal.withInitial(() -> {
      Workspace w = new Workspace(binding.openLane(device, allowTf32), chunkBytes);
      workspaces.add(w);
      return w;
    });
    this.cache = new DeviceBlockCache<>(new DeviceBlockCache.Allocator<>() {
      @Override
      public DeviceMemory allocate(long bytes) {
        return workspace().lane().allocate(bytes);
      }

      @Override
      public void free(DeviceMemory memory) {
        memory.close();
      }
    }, 0);
  }

  /**
   * The backend for {@code options.device()}, loading CUDA on first use; the device block cache
   * budget is set to {@code options.deviceCacheBytes()}.
   *
   * @throws BackendUnavailableException with the loaders' reasons when no binding loads, no
   *     device is visible or the device ordinal is out of range
   */
  public static synchronized CudaBackend open(BackendOptions options) {
    CudaBinding binding = CudaLoader.binding();
    int count = binding.deviceCount();
    if (options.device() >= count) {
      throw new BackendUnavailableException("cuda: device " + options.device()
          + " was asked for but " + count + " device" + (count == 1 ? " is" : "s are")
          + " visible (CUDA_VISIBLE_DEVICES=" + System.getenv("CUDA_VISIBLE_DEVICES") + ")");
    }
    CudaBackend backend = OPEN.computeIfAbsent(options.device() + "/" + options.allowTf32(),
        key -> new CudaBackend(binding, options.device(), options.allowTf32(),
            Staging.CHUNK_BYTES));
    backend.cache.setBudget(options.deviceCacheBytes());
    return backend;
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  public int device() {
    return device;
  }

  public boolean allowTf32() {
    return allowTf32;
  }

  /** Device-resident blocks shared by this device's task threads (see {@link CudaTrainingPass}). */
  public DeviceBlockCache<Object, DeviceMemory> blockCache() {
    return cache;
  }

  /** The calling thread's workspace, created on first use. */
  Workspace workspace() {
    return workspace.get();
  }

  @Override
  protected void columnMajorDgemm(Trans transA, Trans transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c,
      int offC, int ldc) {
    workspace().gemm(DType.FLOAT64, transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb,
        beta, c, offC, ldc);
  }

  @Override
  protected void columnMajorSgemm(Trans transA, Trans transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC,
      int ldc) {
    workspace().gemm(DType.FLOAT32, transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb,
        beta, c, offC, ldc);
  }

  /** One thread's lane, staging chunks and device scratch for the host-array GEMM. */
  static final class Workspace {
    private final CudaLane lane;
    private final Staging staging;
    private final DeviceMemory[] scratch = new DeviceMemory[3];

    Workspace(CudaLane lane, int chunkBytes) {
      this.lane = lane;
      this.staging = new Staging(lane, chunkBytes);
    }

    CudaLane lane() {
      return lane;
    }

    Staging staging() {
      return staging;
    }

    /** Scratch buffer {@code i} with at least {@code bytes}, grown by doubling. */
    private DeviceMemory scratch(int i, long bytes) {
      if (scratch[i] == null || scratch[i].bytes() < bytes) {
        if (scratch[i] != null) {
          scratch[i].close();
        }
        long size = scratch[i] == null ? bytes : Math.max(bytes, 2 * scratch[i].bytes());
        scratch[i] = lane.allocate(size);
      }
      return scratch[i];
    }

    /** Elements a column-major rows x cols operand with leading dimension ld spans. */
    private static int extent(int rows, int cols, int ld) {
      return rows == 0 || cols == 0 ? 0 : (cols - 1) * ld + rows;
    }

    /** Column-major GEMM on host arrays (arguments already checked, m, n, k >= 1). */
    void gemm(DType dtype, Trans transA, Trans transB, int m, int n, int k, double alpha,
        Object a, int offA, int lda, Object b, int offB, int ldb, double beta, Object c,
        int offC, int ldc) {
      int size = dtype.bytes();
      int extentA = transA == Trans.N ? extent(m, k, lda) : extent(k, m, lda);
      int extentB = transB == Trans.N ? extent(k, n, ldb) : extent(n, k, ldb);
      int extentC = extent(m, n, ldc);
      DeviceMemory da = scratch(0, (long) extentA * size);
      DeviceMemory db = scratch(1, (long) extentB * size);
      DeviceMemory dc = scratch(2, (long) extentC * size);
      staging.upload(dtype, a, offA, extentA, da, 0, Stream.COMPUTE);
      staging.upload(dtype, b, offB, extentB, db, 0, Stream.COMPUTE);
      // C is read when beta != 0; with a wider leading dimension it is uploaded anyway so the
      // gaps between its columns come back unchanged.
      if (beta != 0.0 || ldc > m) {
        staging.upload(dtype, c, offC, extentC, dc, 0, Stream.COMPUTE);
      }
      lane.gemm(dtype, transA, transB, m, n, k, alpha, da, 0, lda, db, 0, ldb, beta, dc, 0, ldc);
      staging.download(dtype, dc, 0, c, offC, extentC, Stream.COMPUTE);
    }

    void close() {
      for (DeviceMemory memory : scratch) {
        if (memory != null) {
          memory.close();
        }
      }
      staging.close();
      lane.close();
    }
  }
}
