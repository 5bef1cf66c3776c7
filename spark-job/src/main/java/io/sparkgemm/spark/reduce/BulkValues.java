package io.sparkgemm.spark.reduce;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * float64 and float32 arrays through Java serialization in bulk: little-endian bytes in chunks of
 * 64 KiB, converted by {@link ByteBuffer} views. Java serialization writes a double[] one value
 * at a time, and for a network's gradient (a few MB per task result) that was a third of a
 * minibatch step's fixed cost. The bits are unchanged.
 */
public final class BulkValues {
  private static final int CHUNK_BYTES = 64 << 10;

  private BulkValues() {
  }

  /** Writes {@code values} (not their length). */
  public static void write(ObjectOutputStream out, double[] values) throws IOException {
    byte[] chunk = new byte[Math.min(CHUNK_BYTES, 8 * values.length)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < values.length; ) {
      int count = Math.min(chunk.length / 8, values.length - at);
      bytes.clear();
      bytes.asDoubleBuffer().put(values, at, count);
      out.write(chunk, 0, 8 * count);
      at += count;
    }
  }

  /** Reads {@code values.length} values written by {@link #write(ObjectOutputStream, double[])}. */
  public static void read(ObjectInputStream in, double[] values) throws IOException {
    byte[] chunk = new byte[Math.min(CHUNK_BYTES, 8 * values.length)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < values.length; ) {
      int count = Math.min(chunk.length / 8, values.length - at);
      in.readFully(chunk, 0, 8 * count);
      bytes.clear();
      bytes.asDoubleBuffer().get(values, at, count);
      at += count;
    }
  }

  /** Writes {@code values} (not their length). */
  public static void write(ObjectOutputStream out, float[] values) throws IOException {
    byte[] chunk = new byte[Math.min(CHUNK_BYTES, 4 * values.length)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < values.length; ) {
      int count = Math.min(chunk.length / 4, values.length - at);
      bytes.clear();
      bytes.asFloatBuffer().put(values, at, count);
      out.write(chunk, 0, 4 * count);
      at += count;
    }
  }

  /** Reads {@code values.length} values written by {@link #write(ObjectOutputStream, float[])}. */
  public static void read(ObjectInputStream in, float[] values) throws IOException {
    byte[] chunk = new byte[Math.min(CHUNK_BYTES, 4 * values.length)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < values.length; ) {
      int count = Math.min(chunk.length / 4, values.length - at);
      in.readFully(chunk, 0, 4 * count);
      bytes.clear();
      bytes.asFloatBuffer().get(values, at, count);
      at += count;
    }
  }
}
