package io.sparkgemm.spark.input;

import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.local.npy.NpyFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Small files the driver reads whole (W, b, a checkpoint's vectors), on any Hadoop file system:
 * a plain local path, {@code file://}, {@code hdfs://} or an object store. Paths keep the form
 * the user gave them, so that messages name them as given.
 */
public final class DriverFiles {
  private DriverFiles() {
  }

  /**
   * The file system of {@code path}. On the local file system the raw one: its checksummed
   * wrapper writes {@code .crc} files beside each file and refuses a file that another tool
   * (NumPy) replaced without updating them; the checks of the readers are the ones that count.
   */
  public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
  }

  /**
   * Whether {@code path} exists; a path that cannot be checked (an unknown scheme, an
   * unreachable NameNode) is refused naming it.
   */
  public static boolean exists(String path, Configuration conf) {
    try {
      Path p = new Path(path);
      return fileSystem(p, conf).exists(p);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": cannot be checked: " + e.getMessage(), e);
    }
  }

  /** Reads the .npy file {@code path}; refusals name it as given. */
  public static NpyArray readNpy(String path, Configuration conf) {
    Path p;
    FileSystem fs;
    try {
      p = new Path(path);
      fs = fileSystem(p, conf);
    } catch (IOException | IllegalArgumentException e) {
      throw new NpyFormatException(path, "cannot read: " + e.getMessage());
    }
    return readNpy(fs, p);
  }

  /** Reads the .npy file {@code file} of {@code fs}; refusals name it as {@code file} prints. */
  public static NpyArray readNpy(FileSystem fs, Path file) {
    return readNpy(fs, file, file.toString(), (in, size, name) -> Npy.read(in::readFully,
        size, name));
  }

  /** What is read from an open .npy file of {@code size} bytes (the whole array, a header). */
  @FunctionalInterface
  public interface NpyReader<T> {
    T read(FSDataInputStream in, long size, String name) throws IOException;
  }

  /**
   * Opens the .npy file {@code file} of {@code fs} and reads it with {@code reader}; a folder,
   * a missing file and a failed read are refused naming the file as {@code name}.
   */
  public static <T> T readNpy(FileSystem fs, Path file, String name, NpyReader<T> reader) {
    try {
      FileStatus status = fs.getFileStatus(file);
      if (status.isDirectory()) {
        throw new NpyFormatException(name, "is a directory, expected a .npy file");
      }
      try (FSDataInputStream in = fs.open(file)) {
        return reader.read(in, status.getLen(), name);
      }
    } catch (FileNotFoundException e) {
      throw new NpyFormatException(name, "file not found");
    } catch (IOException e) {
      throw new NpyFormatException(name, "cannot read: " + e.getMessage());
    }
  }
}
