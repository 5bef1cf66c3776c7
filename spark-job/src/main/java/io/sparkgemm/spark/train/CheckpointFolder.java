package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.spark.input.DriverFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The folder that holds a run's checkpoints, {@code iter-NNNNNNNN/} each, on any Hadoop file
 * system (a local path, {@code file://}, {@code hdfs://}, an object store): listing them in
 * iteration order, checking before a run that the folder can be written, and removing
 * checkpoints. Only folders named {@code iter-} and eight or more digits are checkpoints; nothing
 * else in the folder is ever listed or deleted. Paths keep the form the user gave, so that
 * messages name them as given.
 */
public final class CheckpointFolder {
  static final String PREFIX = "iter-";
  private static final Pattern NAME = Pattern.compile("iter-[0-9]{8,18}");

  private final String root;
  private final Path path;
  private final FileSystem fs;

  private CheckpointFolder(String root, Path path, FileSystem fs) {
    this.root = root;
    this.path = path;
    this.fs = fs;
  }

  /**
   * The checkpoint folder {@code root}; a path no file system takes (an unknown scheme) is
   * refused naming it.
   */
  public static CheckpointFolder of(String root, Configuration conf) {
    try {
      Path path = new Path(root);
      return new CheckpointFolder(root, path, DriverFiles.fileSystem(path, conf));
    } catch (IOException | IllegalArgumentException e) {
      throw new BadParameterException(ParamText.of(param("checkpointDir"), " " + root
          + ": not a usable path: " + e.getMessage()), e);
    }
  }

  /** The folder as the user gave it. */
  @Override
  public String toString() {
    return path.toString();
  }

  FileSystem fs() {
    return fs;
  }

  /** The path of {@code name} in this folder, in the form the folder was given. */
  Path child(String name) {
    return new Path(path, name);
  }

  /** The folder name of the checkpoint of {@code iteration}. */
  static String name(int iteration) {
    return String.format("%s%08d", PREFIX, iteration);
  }

  /** The checkpoints in this folder, oldest first; none if it is not a folder. */
  List<Path> list() {
    FileStatus[] entries;
    try {
      if (!fs.getFileStatus(path).isDirectory()) {
        return List.of();
      }
      entries = fs.listStatus(path);
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list checkpoints in " + this, e);
    }
    List<Path> found = new ArrayList<>();
    for (FileStatus entry : entries) {
      String name = entry.getPath().getName();
      if (entry.isDirectory() && NAME.matcher(name).matches()) {
        found.add(child(name));
      }
    }
    found.sort(Comparator.comparingLong(CheckpointFolder::iteration));
    return found;
  }

  /** The folder names of the checkpoints in this folder, oldest first. */
  public List<String> names() {
    return list().stream().map(Path::getName).toList();
  }

  /**
   * Refuses, before anything runs, a checkpoint folder that cannot be written: a file, a path
   * under a file, a folder (or its nearest existing parent) in which no folder can be created.
   * Probes by creating and removing a hidden folder; creates nothing that stays.
   */
  public void requireWritable() {
    Path target = normalized(fs.makeQualified(path));
    Path existing = target;
    try {
      while (existing != null && !fs.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null) {
        return;
      }
      if (!fs.getFileStatus(existing).isDirectory()) {
        throw new BadParameterException(param("checkpointDir"), " " + root + ": " + show(existing)
            + " is a " + (existing.equals(target) ? "file, expected a folder"
                : "file, not a folder, so no checkpoint folder can be created under it"));
      }
    } catch (IOException e) {
      throw new BadParameterException(ParamText.of(param("checkpointDir"), " " + root
          + ": cannot be checked: " + e.getMessage()), e);
    }
    Path probe = new Path(existing, ".spark-gemm-probe-" + UUID.randomUUID());
    String failure;
    try {
      failure = fs.mkdirs(probe) ? null : "not writable";
    } catch (IOException e) {
      failure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    if (failure != null) {
      throw new BadParameterException(param("checkpointDir"), " " + root + ": cannot create "
          + "folders in " + show(existing) + " (" + failure + ")");
    }
    delete(probe);
  }

  /** Deletes every checkpoint in this folder; returns their names. */
  public List<String> clear() {
    List<String> removed = new ArrayList<>();
    for (Path p : list()) {
      delete(p);
      removed.add(p.getName());
    }
    return removed;
  }

  /** Deletes all but the {@code keep} newest checkpoints. */
  void prune(int keep) {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      delete(all.get(i));
    }
  }

  /** Deletes {@code p} and everything under it. */
  void delete(Path p) {
    try {
      if (!fs.delete(p, true) && fs.exists(p)) {
        throw new IOException("delete failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + p, e);
    }
  }

  private static Path normalized(Path qualified) {
    URI uri = qualified.toUri().normalize();
    return new Path(uri.getScheme(), uri.getAuthority(), uri.getPath());
  }

  /** A local path as a plain path (as messages named it before), others as URIs. */
  private static String show(Path p) {
    return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
  }

  private static long iteration(Path p) {
    return Long.parseLong(p.getName().substring(PREFIX.length()));
  }
}
