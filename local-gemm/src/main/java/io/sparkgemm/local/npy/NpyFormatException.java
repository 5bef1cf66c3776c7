package io.sparkgemm.local.npy;

import java.nio.file.Path;

/** A .npy file that spark-gemm refuses to read; the message names the file and the problem. */
public class NpyFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(Path file, String problem) {
    this(String.valueOf(file), problem);
  }

  /** @param file the file's name as the user gave it (a local path or a URI) */
  public NpyFormatException(String file, String problem) {
    super(file + ": " + problem);
  }
}
