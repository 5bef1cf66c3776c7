package io.sparkgemm.spark.output;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FSError;

/**
 * An output file's stream that reports a failed write as an {@link IOException} naming the
 * output: a full disk as {@link NoSpaceLeftException}, and Hadoop's {@link FSError} (what its
 * local file system throws for any failed write, an {@link Error} that would escape the
 * command line's error handling) as a plain {@link IOException}.
 */
final class GuardedStream extends OutputStream {
  private final OutputStream out;
  /** The output file as the user knows it (where it lands once committed). */
  private final String path;

  GuardedStream(OutputStream out, String path) {
    this.out = out;
    this.path = path;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException | FSError e) {
      throw failed(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException | FSError e) {
      throw failed(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException | FSError e) {
      throw failed(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException | FSError e) {
      throw failed(e);
    }
  }

  private IOException failed(Throwable e) {
    if (NoSpaceLeftException.isNoSpace(e)) {
      return new NoSpaceLeftException(path, e);
    }
    return e instanceof IOException io ? io
        : new IOException("cannot write " + path + ": " + e.getMessage(), e);
  }
}
