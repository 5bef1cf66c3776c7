package io.sparkgemm.local.cuda;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.cuda.CudaLane.DeviceMemory;
import io.sparkgemm.local.cuda.CudaLane.PinnedMemory;
import io.sparkgemm.local.cuda.CudaLane.Stream;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;

/**
 * Moves Java arrays to and from the device through two pinned chunks on one stream: while the
 * DMA engine copies one chunk, the thread fills (or drains) the other, so the copy between the
 * Java heap and pinned memory overlaps the PCIe transfer. Pageable copies run at a fraction of
 * the pinned rate, so every host array goes through here. One per lane.
 */
final class Staging implements AutoCloseable {
  /** Bytes per chunk: large enough to reach full PCIe rate, small enough to pin per thread. */
  static final int CHUNK_BYTES = 32 << 20;

  private final CudaLane lane;
  private final int chunkBytes;
  private final PinnedMemory[] chunks = new PinnedMemory[2];
  /** The stream of a copy that may still be using each chunk, or null. */
  private final Stream[] pending = new Stream[2];

  /** @param chunkBytes bytes per pinned chunk, a multiple of 8 ({@link #CHUNK_BYTES} normally) */
  Staging(CudaLane lane, int chunkBytes) {
    this.lane = lane;
    this.chunkBytes = chunkBytes;
  }

  private PinnedMemory chunk(int i) {
    if (chunks[i] == null) {
      chunks[i] = lane.allocatePinned(chunkBytes);
    }
    return chunks[i];
  }

  /** Waits for the stream and forgets the copies it had in flight. */
  private void synchronize(Stream stream) {
    lane.synchronize(stream);
    for (int i = 0; i < pending.length; i++) {
      if (pending[i] == stream) {
        pending[i] = null;
      }
    }
  }

  /**
   * Before the thread writes into a chunk (or a copy on another stream does): a copy still in
   * flight from an earlier call may be reading it.
   */
  private void claim(int slot, Stream stream, boolean hostWrites) {
    if (pending[slot] != null && (hostWrites || pending[slot] != stream)) {
      synchronize(pending[slot]);
    }
  }

  /**
   * Copies {@code length} elements of a {@code double[]} or {@code float[]} from {@code offset}
   * to {@code dst} at byte {@code dstOffset}, on {@code stream}. Returns with the last chunk still
   * in flight; work queued later on the same stream sees the data.
   */
  void upload(DType dtype, Object array, int offset, int length, DeviceMemory dst, long dstOffset,
      Stream stream) {
    int perChunk = chunkBytes / dtype.bytes();
    int slot = 0;
    for (int done = 0; done < length; done += perChunk, slot ^= 1) {
      int count = Math.min(perChunk, length - done);
      // Fill this slot while the previous chunk is in flight; the chunk before that (same slot)
      // left at the previous step's synchronize, or claim waits for it.
      claim(slot, stream, true);
      PinnedMemory chunk = chunk(slot);
      put(chunk.buffer(), array, offset + done, count);
      if (done > 0) {
        synchronize(stream);
      }
      lane.upload(chunk, 0, dst, dstOffset + (long) done * dtype.bytes(),
          (long) count * dtype.bytes(), stream);
      pending[slot] = stream;
    }
  }

  /** Copies {@code length} elements from the device into the array; returns when they are there. */
  void download(DType dtype, DeviceMemory src, long srcOffset, Object array, int offset,
      int length, Stream stream) {
    int perChunk = chunkBytes / dtype.bytes();
    int slot = 0;
    int previous = -1;
    for (int done = 0; done < length; done += perChunk, slot ^= 1) {
      int count = Math.min(perChunk, length - done);
      if (previous >= 0) {
        synchronize(stream);
      }
      claim(slot, stream, false);
      lane.download(src, srcOffset + (long) done * dtype.bytes(), chunk(slot), 0,
          (long) count * dtype.bytes(), stream);
      pending[slot] = stream;
      if (previous >= 0) {
        // drain the previous chunk (arrived at the synchronize) while this one is in flight
        get(chunks[slot ^ 1].buffer(), array, offset + previous, perChunk);
      }
      previous = done;
    }
    synchronize(stream);
    if (previous >= 0) {
      get(chunks[slot ^ 1].buffer(), array, offset + previous, length - previous);
    }
  }

  /** A small upload (a vector, W): through the first chunk when it fits, else chunked. */
  void uploadSmall(DType dtype, Object array, DeviceMemory dst, Stream stream) {
    upload(dtype, array, 0, Array.getLength(array), dst, 0, stream);
  }

  static void put(ByteBuffer buffer, Object array, int offset, int count) {
    ByteBuffer view = buffer.duplicate().order(buffer.order());
    view.clear();
    if (array instanceof double[] values) {
      view.asDoubleBuffer().put(values, offset, count);
    } else {
      view.asFloatBuffer().put((float[]) array, offset, count);
    }
  }

  static void get(ByteBuffer buffer, Object array, int offset, int count) {
    ByteBuffer view = buffer.duplicate().order(buffer.order());
    view.clear();
    if (array instanceof double[] values) {
      view.asDoubleBuffer().get(values, offset, count);
    } else {
      view.asFloatBuffer().get((float[]) array, offset, count);
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < chunks.length; i++) {
      if (chunks[i] != null) {
        chunks[i].close();
        chunks[i] = null;
      }
    }
  }
}
