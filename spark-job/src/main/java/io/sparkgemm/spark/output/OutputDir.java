package io.sparkgemm.spark.output;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder written all or nothing: everything goes to a hidden sibling folder, which is
 * marked as a spark-gemm output ({@link OutputMarker}) and renamed into place by
 * {@link #commit()}; {@link #close()} without a commit deletes it. An existing output is refused
 * unless overwriting was asked for and it is a previous spark-gemm output (or an empty folder),
 * and is then replaced only once the new one is complete. Parent folders it had to create are
 * removed again when nothing is committed. Works on any Hadoop file system (local, HDFS, object
 * stores).
 */
public final class OutputDir implements AutoCloseable {
  /** A real device on which every write fails with ENOSPC: the fullDiskAt test hook's disk. */
  private static final String DEV_FULL = "file:///dev/full";
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
      requireReplaceable(fs, target, out, overwrite);
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
      if (NoSpaceLeftException.isNoSpace(e)) {
        throw new UncheckedIOException(new NoSpaceLeftException(out, e));
      }
      // The handler prints the cause's message after this one: name the output only.
      throw new UncheckedIOException("Cannot prepare output " + out, e);
    }
  }

  /**
   * Refuses an existing {@code target} that this output may not replace: anything without
   * {@code overwrite}; with it, a file or a folder that is neither empty nor a previous output
   * (see {@link OutputMarker}). Throws {@link IllegalArgumentException}.
   *
   * @param out the path as the caller gave it, for messages
   */
  static void requireReplaceable(FileSystem fs, Path target, String out, boolean overwrite)
      throws IOException {
    if (!fs.exists(target)) {
      return;
    }
    String refusal = OutputMarker.refusal(fs, target);
    if (refusal != null) {
      throw new BadParameterException(param("outputDir"), " " + out + " exists and " + refusal
          + ": ", param("overwrite"), " replaces only a previous spark-gemm output; choose another "
          + (refusal.startsWith("is a file") ? "path" : "folder") + " or remove it yourself");
    }
    if (!overwrite) {
      throw new BadParameterException(param("outputDir"), " " + out + " already exists; pass ",
          param("overwrite"), " to replace it");
    }
  }

  /** The final location, for messages. */
  public String target() {
    return target.toString();
  }

  /** Where a file or folder named {@code name} is staged, as a string path. */
  private String staged(String name) {
    testHooks(name); // fullDiskAt applies to files from create() only
    return new Path(staging, name).toString();
  }

  /**
   * Runs {@code write} (a Spark job writing a folder of files on the executors) with the staged
   * path of output {@code name}; a full disk comes back as a {@link NoSpaceLeftException}
   * naming the output.
   */
  public void write(String name, Consumer<String> write) {
    write(List.of(name), paths -> write.accept(paths.get(0)));
  }

  /**
   * As {@link #write(String, Consumer)} for outputs written by one job together (e.g. X.npy and
   * labels.npy of the same rows): {@code write} gets their staged paths in order; a full disk
   * names the output folder, as any of them may have filled it.
   */
  public void write(List<String> names, Consumer<List<String>> write) {
    // Spark throws its (checked) SparkException undeclared; the rethrow below is unchanged
    List<String> paths = new ArrayList<>(names.size());
    for (String name : names) {
      paths.add(staged(name));
    }
    try {
      write.accept(paths);
    } catch (Throwable e) {
      if (NoSpaceLeftException.isNoSpace(e)) {
        throw new UncheckedIOException(new NoSpaceLeftException(names.size() == 1
            ? finalPath(names.get(0)) : target.toUri().getPath(), e));
      }
      throw e;
    }
  }

  /** The Hadoop configuration of this output's file system. */
  public Configuration conf() {
    return fs.getConf();
  }

  /**
   * Opens a staged file for writing. Its write, flush and close report a full disk as a
   * {@link NoSpaceLeftException} naming the output file, and Hadoop's {@code FSError} (an
   * {@link Error} from the local file system) as an {@link IOException}.
   */
  public OutputStream create(String name) {
    try {
      boolean full = testHooks(name);
      OutputStream stream = full
          ? FileSystem.getLocal(fs.getConf()).getRaw().create(new Path(DEV_FULL), true)
          : fs.create(new Path(staging, name), true);
      return new GuardedStream(stream, finalPath(name));
    } catch (IOException e) {
      if (NoSpaceLeftException.isNoSpace(e)) {
        throw new UncheckedIOException(new NoSpaceLeftException(finalPath(name), e));
      }
      throw new UncheckedIOException("Cannot write " + name + " under " + staging, e);
    }
  }

  /** Where output {@code name} ends up once committed: what a message names. */
  private String finalPath(String name) {
    return new Path(target, name).toUri().getPath();
  }

  /**
   * Test hooks for the all-or-nothing guarantee, as system properties of the driver:
   * {@code spark.gemm.test.failWriteAt=N} fails the N-th output (1-based) as if the disk had
   * failed; {@code spark.gemm.test.fullDiskAt=N} writes the N-th output, a file opened by
   * {@link #create(String)}, to /dev/full, which fails every write with ENOSPC as a full disk
   * does; {@code spark.gemm.test.pauseWriteAt=N} prints a line and waits there, so a test can
   * kill the driver in the middle of writing.
   *
   * @return whether this output goes to /dev/full
   */
  private boolean testHooks(String name) throws UncheckedIOException {
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
    return String.valueOf(created).equals(System.getProperty("spark.gemm.test.fullDiskAt"));
  }

  /**
   * Marks the staged folder as a spark-gemm output and moves it into place, replacing an
   * existing one if allowed; the target is checked again here, as something may have appeared
   * there while the job ran.
   */
  public void commit() {
    try {
      try (OutputStream marker = new GuardedStream(fs.create(new Path(staging,
          OutputMarker.NAME), true), finalPath(OutputMarker.NAME))) {
        marker.write(OutputMarker.text());
      }
      Path old = null;
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new BadParameterException("Output " + target + " appeared while the job ran; "
              + "refusing to replace it without ", param("overwrite"));
        }
        String refusal = OutputMarker.refusal(fs, target);
        if (refusal != null) {
          throw new BadParameterException(param("outputDir"), " " + target.toUri().getPath()
              + " changed while the job ran and now " + refusal + ": ", param("overwrite"),
              " replaces only a previous spark-gemm output, so nothing was written; remove it "
              + "or choose another folder, and run again");
        }
        old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        rename(target, old);
      }
      rename(staging, target);
      committed = true;
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (NoSpaceLeftException e) {
      throw new UncheckedIOException(e);
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
