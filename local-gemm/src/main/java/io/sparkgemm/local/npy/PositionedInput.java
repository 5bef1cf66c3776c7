package io.sparkgemm.local.npy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Bytes read at a position of a file, without moving any cursor: Hadoop's
 * {@code FSDataInputStream::readFully} fits, and so does {@link #of} a local file channel.
 */
@FunctionalInterface
public interface PositionedInput {
  /** Fills {@code buffer[offset .. offset + length)} from {@code position}, or fails. */
  void readFully(long position, byte[] buffer, int offset, int length) throws IOException;

  /** Positioned reads of a local file channel. */
  static PositionedInput of(FileChannel ch) {
    return (position, buffer, offset, length) -> {
      ByteBuffer b = ByteBuffer.wrap(buffer, offset, length);
      long at = position;
      while (b.hasRemaining()) {
        int n = ch.read(b, at);
        if (n < 0) {
          throw new EOFException("end of file at byte " + at);
        }
        at += n;
      }
    };
  }
}
