package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The data files of an input path (a file, a folder of part files, or a glob), as Spark sees
 * them: names starting with {@code _} or {@code .} ({@code _SUCCESS}, {@code .crc}) are not
 * data.
 */
public final class InputFiles {
  private InputFiles() {
  }

  /**
   * Refuses a local input that is neither a regular file nor a folder (a named pipe, a device,
   * a socket): inputs are read by position and more than once (a header, then row ranges on
   * the executors), which a pipe cannot give, and opening a pipe blocks until something writes
   * to it. Paths on other file systems and paths that do not exist are left to the readers.
   *
   * @param option the parameter that gave the path, for the message (e.g. {@code labelsPath})
   */
  public static void requireFileOrFolder(String option, String path) {
    File local = null;
    try {
      URI uri = new URI(path);
      local = uri.getScheme() == null ? new File(path)
          : "file".equals(uri.getScheme()) ? new File(uri) : null;
    } catch (URISyntaxException | IllegalArgumentException e) {
      // a glob or a name only Hadoop reads: its reader says what is wrong
      local = new File(path);
    }
    // File.isFile() is true for regular files only (not pipes, devices or sockets)
    if (local != null && local.exists() && !local.isFile() && !local.isDirectory()) {
      throw new BadParameterException(param(option), " " + path + ": is not a regular file (a "
          + "named pipe, device or socket); inputs are read by position and more than once, "
          + "so save the data to a file first");
    }
  }

  /**
   * Refuses a path (or glob) that matches nothing, on any Hadoop file system, naming it; a path
   * that cannot be checked (an unknown scheme, an unreachable NameNode) is refused too.
   */
  public static void requireExists(String path, Configuration conf) {
    FileStatus[] matches;
    try {
      Path p = new Path(path);
      matches = p.getFileSystem(conf).globStatus(p);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": cannot be checked: " + e.getMessage(), e);
    }
    if (matches == null || matches.length == 0) {
      throw new IllegalArgumentException(path + ": no such file or directory");
    }
  }

  /** The first data file by name; refuses a path with none (e.g. only {@code _SUCCESS}). */
  static Path firstDataFile(Configuration conf, String path) {
    List<Path> files = dataFiles(conf, path, Integer.MAX_VALUE);
    files.sort(null);
    return files.get(0);
  }

  /** Refuses a path that holds no data file, without listing more than needed. */
  static void requireDataFiles(Configuration conf, String path) {
    dataFiles(conf, path, 1);
  }

  private static List<Path> dataFiles(Configuration conf, String path, int max) {
    List<Path> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException(path + ": no such file or directory");
      }
      for (FileStatus match : matches) {
        if (!match.isDirectory()) {
          files.add(match.getPath());
          continue;
        }
        int rootDepth = match.getPath().depth();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
        while (it.hasNext() && files.size() < max) {
          Path f = it.next().getPath();
          if (hidden(f, rootDepth)) {
            skipped.add(f.getName());
          } else {
            files.add(f);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(path + ": cannot be listed: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(path + ": the folder has no data files" + (skipped
          .isEmpty() ? "" : " (only " + String.join(", ", skipped.subList(0,
          Math.min(5, skipped.size()))) + (skipped.size() > 5 ? ", ..." : "") + ")"));
    }
    return files;
  }

  /** A name below the root (the file or a folder on its way) starting with _ or . */
  private static boolean hidden(Path file, int rootDepth) {
    for (Path p = file; p != null && p.depth() > rootDepth; p = p.getParent()) {
      String name = p.getName();
      if ((name.startsWith("_") && !name.contains("=")) || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
