package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.Trans;
import io.sparkgemm.local.backend.ColumnMajorBlas;
import io.sparkgemm.local.cuda.CudaLane.DeviceMemory;
import io.sparkgemm.local.cuda.CudaLane.PinnedMemory;
import io.sparkgemm.local.cuda.CudaLane.Stream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One partition's training pass on the device with the {@code mse} head, for one thread:
 *
 * <pre>
 *   x: n x d   w: d x k   b: k   t, y, g: n x k        (row-major, per block)
 *   y  = x w + b
 *   g  = 2 (y - t) / N          N: the global row count; loss += ||y - t||² / N
 *   dw += xᵀ g                  db += 1ᵀ g      (beta = 1: gradients add across blocks)
 * </pre>
 *
 * W and b go to the device once, dW, db and the loss stay there across the partition's blocks and
 * come back once in {@link #finish}. A block's x and t come from the device block cache when it
 * holds them (keys given), else they are uploaded on the copy stream into one of two slots while
 * the previous block computes, and kept in the cache when the budget allows.
 *
 * <p>Float32 blocks accumulate dW and db in float32 on the device (cuBLAS has no float32 x
 * float32 -> float64 GEMM); they are added into the float64 accumulator once per partition.
 */
public final class CudaTrainingPass implements AutoCloseable {
  private static final int LOSS_SLOTS = 1024;

  /** A device pointer with an element offset: the operand type of the row-major mapping. */
  private record At(DeviceMemory memory, long offset) {
  }

  private final CudaBackend backend;
  private final CudaLane lane;
  private final Staging staging;
  private final DType dtype;
  private final int inFeatures;
  private final int outFeatures;
  private final int maxRows;
  private final long globalRows;
  private final DeviceMemory w;
  private final DeviceMemory bias;
  private final DeviceMemory dw;
  private final DeviceMemory db;
  private final DeviceMemory ones;
  private final DeviceMemory y;
  private final DeviceMemory losses;
  private final DeviceMemory[] xSlots = new DeviceMemory[2];
  private final DeviceMemory[] tSlots = new DeviceMemory[2];
  private final List<Object> pinnedKeys = new ArrayList<>();
  private int slot;
  private int lossCount;
  private double lossSum;
  private long rows;
  private long bytesUploaded;

  /**
   * Uploads w (d x k, the blocks' dtype) and b, zeroes dW and db on the device.
   *
   * @param maxRows the largest block's row count (sizes the device slots)
   * @param globalRows N of the mse head: the row count of the whole dataset
   */
  public CudaTrainingPass(CudaBackend backend, DenseBlock w, double[] b, int maxRows,
      long globalRows) {
    if (b.length != w.numCols()) {
      throw new IllegalArgumentException("Cannot start a pass: w is " + w.shape() + " but b has "
          + b.length + " values (expected k = w.cols)");
    }
    this.backend = backend;
    CudaBackend.Workspace workspace = backend.workspace();
    this.lane = workspace.lane();
    this.staging = workspace.staging();
    this.dtype = w.dtype();
    this.inFeatures = w.numRows();
    this.outFeatures = w.numCols();
    this.maxRows = maxRows;
    this.globalRows = globalRows;
    int size = dtype.bytes();
    int d = inFeatures;
    int k = outFeatures;
    this.w = lane.allocate((long) d * k * size);
    this.bias = lane.allocate((long) k * size);
    this.dw = lane.allocate((long) d * k * size);
    this.db = lane.allocate((long) k * size);
    this.ones = lane.allocate((long) Math.max(1, maxRows) * size);
    this.y = lane.allocate((long) maxRows * k * size);
    this.losses = lane.allocate((long) LOSS_SLOTS * size);
    staging.uploadSmall(dtype, dtype == DType.FLOAT64 ? w.doubles() : w.floats(), this.w,
        Stream.COMPUTE);
    staging.uploadSmall(dtype, dtype == DType.FLOAT64 ? b.clone() : toFloats(b), bias,
        Stream.COMPUTE);
    Object one = dtype == DType.FLOAT64 ? filled(maxRows) : toFloats(filled(maxRows));
    staging.uploadSmall(dtype, one, ones, Stream.COMPUTE);
    lane.zero(dw, 0, dw.bytes(), Stream.COMPUTE);
    lane.zero(db, 0, db.bytes(), Stream.COMPUTE);
    lane.synchronize(Stream.COMPUTE);
  }

  /**
   * Adds one block: x (n x d) and its targets t (n x k), both host blocks of the pass's dtype.
   * With keys (non-null), the blocks are taken from or kept in the device block cache.
   */
  public void addBlock(DenseBlock x, DenseBlock t, Object xKey, Object tKey) {
    checkBlock(x, t);
    int n = x.numRows();
    DeviceMemory dx = resident(xKey, x, xSlots);
    DeviceMemory dt = resident(tKey, t, tSlots);
    compute(n, dx, dt);
  }

  /**
   * Adds one block whose x and t already sit in pinned host memory (row-major, the pass's dtype,
   * {@code n x d} and {@code n x k} values from offset 0): uploaded without staging.
   */
  void addPinnedBlock(int n, PinnedMemory x, PinnedMemory t) {
    long xBytes = (long) n * inFeatures * dtype.bytes();
    long tBytes = (long) n * outFeatures * dtype.bytes();
    DeviceMemory dx = slot(xSlots, xBytes);
    DeviceMemory dt = slot(tSlots, tBytes);
    lane.upload(x, 0, dx, 0, xBytes, Stream.COPY);
    lane.upload(t, 0, dt, 0, tBytes, Stream.COPY);
    bytesUploaded += xBytes + tBytes;
    compute(n, dx, dt);
  }

  /** The block's device copy: cached, newly cached, or uploaded into this block's slot. */
  private DeviceMemory resident(Object key, DenseBlock block, DeviceMemory[] slots) {
    long bytes = (long) block.numRows() * block.numCols() * dtype.bytes();
    DeviceBlockCache<Object, DeviceMemory> cache = backend.blockCache();
    if (key != null) {
      DeviceMemory hit = cache.acquire(key);
      if (hit != null) {
        pinnedKeys.add(key);
        return hit;
      }
      DeviceMemory admitted = cache.admit(key, bytes);
      if (admitted != null) {
        pinnedKeys.add(key);
        upload(block, admitted);
        return admitted;
      }
    }
    DeviceMemory target = slot(slots, bytes);
    upload(block, target);
    return target;
  }

  private void upload(DenseBlock block, DeviceMemory target) {
    Object values = dtype == DType.FLOAT64 ? block.doubles() : block.floats();
    staging.upload(dtype, values, 0, block.numRows() * block.numCols(), target, 0, Stream.COPY);
    bytesUploaded += (long) block.numRows() * block.numCols() * dtype.bytes();
  }

  /** This block's slot: the one the block before last used (its compute is done, see compute). */
  private DeviceMemory slot(DeviceMemory[] slots, long bytes) {
    if (slots[slot] == null) {
      long full = (long) maxRows * (slots == xSlots ? inFeatures : outFeatures) * dtype.bytes();
      slots[slot] = lane.allocate(Math.max(full, bytes));
    }
    return slots[slot];
  }

  private void compute(int n, DeviceMemory x, DeviceMemory t) {
    int d = inFeatures;
    int k = outFeatures;
    // Kernels wait for this block's uploads; the copy stream then waits for everything queued on
    // the compute stream so far (up to the previous block), so the next block's upload into the
    // other slot overlaps this block's kernels but never overwrites a slot still being read.
    lane.await(Stream.COMPUTE, Stream.COPY);
    lane.await(Stream.COPY, Stream.COMPUTE);
    slot ^= 1;
    if (n == 0) {
      return;
    }
    At ones = new At(this.ones, 0);
    At yAt = new At(y, 0);
    // y = 1 bᵀ:  ones n x 1, b 1 x k, y n x k
    gemm(Trans.N, Trans.N, n, k, 1, 1.0, ones, 1, new At(bias, 0), k, 0.0, yAt, k);
    // y += x w:  x n x d, w d x k
    gemm(Trans.N, Trans.N, n, k, d, 1.0, new At(x, 0), d, new At(w, 0), k, 1.0, yAt, k);
    // g = 2 (y - t) / N, in place of y (element-wise: any layout with the same extent)
    double scale = 2.0 / globalRows;
    lane.geam(dtype, k, n, scale, y, 0, k, -scale, t, 0, k, y, 0, k);
    // loss parts: g·g = 4 ||y - t||² / N², summed and scaled in finish()
    if (lossCount == LOSS_SLOTS) {
      flushLosses();
    }
    lane.squaredNorm(dtype, n * k, y, 0, losses, lossCount++);
    // dw += xᵀ g:  xᵀ d x n, g n x k   (beta = 1: gradients add across blocks)
    gemm(Trans.T, Trans.N, d, k, n, 1.0, new At(x, 0), d, yAt, k, 1.0, new At(dw, 0), k);
    // db += 1ᵀ g:  ones 1 x n, g n x k
    gemm(Trans.N, Trans.N, 1, k, n, 1.0, ones, n, yAt, k, 1.0, new At(db, 0), k);
    rows += n;
  }

  private void gemm(Trans transA, Trans transB, int m, int n, int k, double alpha, At a, int lda,
      At b, int ldb, double beta, At c, int ldc) {
    ColumnMajorBlas.rowMajor(transA, transB, m, n, k, a, lda, b, ldb,
        (ta, tb, cm, cn, ck, ca, cla, cb, clb) -> lane.gemm(dtype, ta, tb, cm, cn, ck, alpha,
            ca.memory(), ca.offset(), cla, cb.memory(), cb.offset(), clb, beta, c.memory(),
            c.offset(), ldc));
  }

  private void flushLosses() {
    Object parts = dtype == DType.FLOAT64 ? new double[lossCount] : new float[lossCount];
    staging.download(dtype, losses, 0, parts, 0, lossCount, Stream.COMPUTE);
    for (int i = 0; i < lossCount; i++) {
      double part = parts instanceof double[] p ? p[i] : ((float[]) parts)[i];
      // ||y - t||² / N = (N² / 4) g·g / N
      lossSum += part * globalRows / 4.0;
    }
    lossCount = 0;
  }

  /**
   * Waits for the device, adds dW, db, the loss and the row count into {@code acc} (float64) and
   * unpins this pass's cached blocks. Modifies and returns acc.
   */
  public GradientAccumulator finish(GradientAccumulator acc) {
    if (acc.inFeatures() != inFeatures || acc.outFeatures() != outFeatures) {
      throw new IllegalArgumentException("Cannot add a " + inFeatures + "x" + outFeatures
          + " pass into a " + acc.inFeatures() + "x" + acc.outFeatures() + " accumulator");
    }
    flushLosses();
    int size = inFeatures * outFeatures;
    Object dwHost = dtype == DType.FLOAT64 ? new double[size] : new float[size];
    Object dbHost = dtype == DType.FLOAT64 ? new double[outFeatures] : new float[outFeatures];
    staging.download(dtype, dw, 0, dwHost, 0, size, Stream.COMPUTE);
    staging.download(dtype, db, 0, dbHost, 0, outFeatures, Stream.COMPUTE);
    addInto(acc.dw(), dwHost);
    addInto(acc.db(), dbHost);
    acc.addLoss(lossSum, rows);
    unpin();
    return acc;
  }

  /** Bytes of x and t copied to the device so far (0 when every block was resident). */
  public long bytesUploaded() {
    return bytesUploaded;
  }

  private void unpin() {
    for (Object key : pinnedKeys) {
      backend.blockCache().release(key);
    }
    pinnedKeys.clear();
  }

  @Override
  public void close() {
    lane.synchronize(Stream.COMPUTE);
    lane.synchronize(Stream.COPY);
    unpin();
    for (DeviceMemory memory : new DeviceMemory[] {w, bias, dw, db, ones, y, losses,
        xSlots[0], xSlots[1], tSlots[0], tSlots[1]}) {
      if (memory != null) {
        memory.close();
      }
    }
  }

  private void checkBlock(DenseBlock x, DenseBlock t) {
    if (x.dtype() != dtype || t.dtype() != dtype) {
      throw new IllegalArgumentException("Cannot add a block of x " + x.dtype().label() + ", t "
          + t.dtype().label() + " to a " + dtype.label() + " pass");
    }
    if (x.numCols() != inFeatures || t.numCols() != outFeatures || t.numRows() != x.numRows()
        || x.numRows() > maxRows) {
      throw new IllegalArgumentException("Cannot add block: x is " + x.shape() + ", t is "
          + t.shape() + " (expected x n x " + inFeatures + ", t n x " + outFeatures
          + ", n <= " + maxRows + ")");
    }
  }

  private static void addInto(double[] sum, Object part) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += part instanceof double[] p ? p[i] : ((float[]) part)[i];
    }
  }

  private static double[] filled(int n) {
    double[] v = new double[Math.max(1, n)];
    Arrays.fill(v, 1.0);
    return v;
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
