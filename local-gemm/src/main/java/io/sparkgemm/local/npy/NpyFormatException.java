package io.sparkgemm.local.npy;

import java.nio.file.Path;

/** A .npy file that spark-gemm refuses to read; the message names the file and the problem. */
public class NpyFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }
}
