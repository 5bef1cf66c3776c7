package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Trans;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CudaLane} whose "device" is host memory and whose BLAS is a naive column-major loop,
 * written from the BLAS definitions (not through {@code ColumnMajorBlas}), so the cuda backend's
 * staging, extents, row-major mapping and pass arithmetic are tested without a GPU. Copies and
 * kernels run at once, but a copy counts as in flight until its stream is synchronised: touching
 * a pinned buffer's host view while a copy may still use it fails (the hazard a real DMA has).
 */
final class HostLane implements CudaLane {
  final List<String> calls = new ArrayList<>();

  final Map<Memory, Stream> inFlight = new IdentityHashMap<>();

  final class Memory implements DeviceMemory, PinnedMemory {
    final ByteBuffer buffer;
    boolean freed;

    Memory(long bytes) {
      buffer = ByteBuffer.allocate((int) bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    public long bytes() {
      return buffer.capacity();
    }

    @Override
    public ByteBuffer buffer() {
      if (inFlight.containsKey(this)) {
        throw new IllegalStateException("host touches a pinned buffer while a copy on "
            + inFlight.get(this) + " may still use it");
      }
      return buffer;
    }

    @Override
    public void close() {
      freed = true;
    }

    double get(DType dtype, long index) {
      return dtype == DType.FLOAT64 ? buffer.getDouble((int) index * 8)
          : buffer.getFloat((int) index * 4);
    }

    void set(DType dtype, long index, double value) {
      if (dtype == DType.FLOAT64) {
        buffer.putDouble((int) index * 8, value);
      } else {
        buffer.putFloat((int) index * 4, (float) value);
      }
    }
  }

  /** A binding with one device whose lanes are HostLanes. */
  static CudaBinding binding() {
    return new CudaBinding() {
      @Override
      public String binding() {
        return "host lane (test)";
      }

      @Override
      public String versions() {
        return "none";
      }

      @Override
      public String library() {
        return "-";
      }

      @Override
      public int deviceCount() {
        return 1;
      }

      @Override
      public String deviceName(int device) {
        return "host";
      }

      @Override
      public CudaLane openLane(int device, boolean allowTf32) {
        return new HostLane();
      }
    };
  }

  @Override
  public int device() {
    return 0;
  }

  @Override
  public DeviceMemory allocate(long bytes) {
    return new Memory(bytes);
  }

  @Override
  public PinnedMemory allocatePinned(long bytes) {
    return new Memory(bytes);
  }

  private void copy(Memory src, long srcOffset, Memory dst, long dstOffset, long bytes) {
    if (src.freed || dst.freed) {
      throw new IllegalStateException("copy with freed memory");
    }
    dst.buffer.put((int) dstOffset, src.buffer, (int) srcOffset, (int) bytes);
  }

  @Override
  public void upload(PinnedMemory src, long srcOffset, DeviceMemory dst, long dstOffset,
      long bytes, Stream stream) {
    calls.add("upload " + bytes);
    copy((Memory) src, srcOffset, (Memory) dst, dstOffset, bytes);
    inFlight.put((Memory) src, stream);
  }

  @Override
  public void download(DeviceMemory src, long srcOffset, PinnedMemory dst, long dstOffset,
      long bytes, Stream stream) {
    calls.add("download " + bytes);
    copy((Memory) src, srcOffset, (Memory) dst, dstOffset, bytes);
    inFlight.put((Memory) dst, stream);
  }

  @Override
  public void zero(DeviceMemory memory, long offset, long bytes, Stream stream) {
    for (long i = 0; i < bytes; i++) {
      ((Memory) memory).buffer.put((int) (offset + i), (byte) 0);
    }
  }

  @Override
  public void gemm(DType dtype, Trans transA, Trans transB, int m, int n, int k, double alpha,
      DeviceMemory a, long offA, int lda, DeviceMemory b, long offB, int ldb, double beta,
      DeviceMemory c, long offC, int ldc) {
    calls.add("gemm " + transA + transB + " " + m + "x" + n + "x" + k);
    Memory ma = (Memory) a;
    Memory mb = (Memory) b;
    Memory mc = (Memory) c;
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          // column-major: X(r, c) = X[r + c * ld]
          double av = transA == Trans.N ? ma.get(dtype, offA + i + (long) p * lda)
              : ma.get(dtype, offA + p + (long) i * lda);
          double bv = transB == Trans.N ? mb.get(dtype, offB + p + (long) j * ldb)
              : mb.get(dtype, offB + j + (long) p * ldb);
          sum += av * bv;
        }
        long ci = offC + i + (long) j * ldc;
        mc.set(dtype, ci, beta == 0 ? alpha * sum : alpha * sum + beta * mc.get(dtype, ci));
      }
    }
  }

  @Override
  public void geam(DType dtype, int m, int n, double alpha, DeviceMemory a, long offA, int lda,
      double beta, DeviceMemory b, long offB, int ldb, DeviceMemory c, long offC, int ldc) {
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        double v = alpha * ((Memory) a).get(dtype, offA + i + (long) j * lda)
            + beta * ((Memory) b).get(dtype, offB + i + (long) j * ldb);
        ((Memory) c).set(dtype, offC + i + (long) j * ldc, v);
      }
    }
  }

  @Override
  public void squaredNorm(DType dtype, int n, DeviceMemory x, long offX, DeviceMemory result,
      long offResult) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double v = ((Memory) x).get(dtype, offX + i);
      sum += v * v;
    }
    ((Memory) result).set(dtype, offResult, sum);
  }

  @Override
  public void await(Stream waiter, Stream signaller) {
  }

  @Override
  public void synchronize(Stream stream) {
    inFlight.values().removeIf(s -> s == stream);
  }

  @Override
  public void close() {
  }
}
