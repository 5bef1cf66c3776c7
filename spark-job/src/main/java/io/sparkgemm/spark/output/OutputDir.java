package io.sparkgemm.spark.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder written all or nothing: everything goes to a hidden sibling folder, which is
 * renamed into place by {@link #commit()}; {@link #close()} without a commit deletes it. An
 * existing output is refused unless overwriting was asked for, and is then replaced only once
 * the new one is complete. Parent folders it had to create are removed again when nothing is
 * committed. Works on any Hadoop file system (local, HDFS, object stores).
 */
public final class OutputDir implements AutoCloseable {
  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  /** The parent folders this output created, outermost first. */
  private final List<Path> madeParents;
  private boolean committed;
  private int created;

  private OutputDir(FileSystem fs, Path target, Path staging, boolean overwrite,
      List<Path> madeParents) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
    this.overwrite = overwrite;
    this.madeParents = madeParents;
  }

  /** Checks the target and creates the staging folder. */
  public static OutputDir create(String out, boolean overwrite, Configuration conf) {
    try {
      Path target = new Path(out);
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      if (fs.exists(target) && !overwrite) {
        throw new IllegalArgumentException("Output " + out + " already exists; pass overwrite "
            + "to replace it");
      }
      Path parent = target.getParent();
      List<Path> made = new ArrayList<>();
      for (Path p = parent; p != null && !fs.exists(p); p = p.getParent()) {
        made.add(0, p);
      }
      Path staging = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
      try {
        if (!fs.mkdirs(staging)) {
          throw new IOException("mkdirs " + staging + " failed");
        }
      } catch (IOException e) {
        removeEmpty(fs, made);
        throw e;
      }
      return new OutputDir(fs, target, staging, overwrite, made);
    } catch (IOException e) {
      // The handler prints the cause's message after this one: name the output only.
      throw new UncheckedIOException("Cannot prepare output " + out, e);
    }
  }

  /** The final location, for messages. */
  public String target() {
    return target.toString();
  }

  /** Where a file or folder named {@code name} is staged, as a string path. */
  public String staged(String name) {
    testHooks(name);
    return new Path(staging, name).toString();
  }

  /** Opens a staged file for writing. */
  public OutputStream create(String name) {
    try {
      testHooks(name);
      return fs.create(new Path(staging, name), true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name + " under " + staging, e);
    }
  }

  /**
   * Test hooks for the all-or-nothing guarantee, as system properties of the driver:
   * {@code spark.gemm.test.failWriteAt=N} fails the N-th output (1-based) as if the disk had
   * failed; {@code spark.gemm.test.pauseWriteAt=N} prints a line and waits there, so a test can
   * kill the driver in the middle of writing.
   */
  private void testHooks(String name) throws UncheckedIOException {
    created++;
    if (String.valueOf(created).equals(System.getProperty("spark.gemm.test.failWriteAt"))) {
      throw new UncheckedIOException(new IOException("Injected write failure at output "
          + created + " (" + name + ", spark.gemm.test.failWriteAt)"));
    }
    if (String.valueOf(created).equals(System.getProperty("spark.gemm.test.pauseWriteAt"))) {
      System.err.println("spark-gemm test hook: paused before writing " + name + " under "
          + staging);
      System.err.flush();
      try {
        Thread.sleep(600_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Moves the staged folder into place (replacing an existing one if allowed). */
  public void commit() {
    try {
      Path old = null;
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new IllegalArgumentException("Output " + target + " appeared while the job ran; "
              + "refusing to replace it without overwrite");
        }
        old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        rename(target, old);
      }
      rename(staging, target);
      committed = true;
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move " + staging + " to " + target, e);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename " + from + " -> " + to + " failed");
    }
  }

  @Override
  public void close() {
    if (!committed) {
      try {
        fs.delete(staging, true);
        removeEmpty(fs, madeParents);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot remove " + staging, e);
      }
    }
  }

  /** Deletes the folders of {@code made} (outermost first) that are empty, innermost first. */
  private static void removeEmpty(FileSystem fs, List<Path> made) throws IOException {
    for (int i = made.size() - 1; i >= 0; i--) {
      Path p = made.get(i);
      if (fs.exists(p) && fs.listStatus(p).length == 0) {
        fs.delete(p, false);
      }
    }
  }
}
