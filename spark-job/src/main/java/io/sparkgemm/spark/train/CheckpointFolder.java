package io.sparkgemm.spark.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder that holds a run's checkpoints, {@code iter-NNNNNNNN/} each: listing them in
 * iteration order, checking before a run that the folder can be written, and removing
 * checkpoints. Only folders named {@code iter-} and eight or more digits are checkpoints; nothing
 * else in the folder is ever listed or deleted.
 */
public final class CheckpointFolder {
  static final String PREFIX = "iter-";
  private static final Pattern NAME = Pattern.compile("iter-[0-9]{8,18}");

  private CheckpointFolder() {
  }

  /** The folder name of the checkpoint of {@code iteration}. */
  static String name(int iteration) {
    return String.format("%s%08d", PREFIX, iteration);
  }

  /** The checkpoints under {@code root}, oldest first; none if it is not a folder. */
  public static List<Path> list(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()
              && Files.isDirectory(p))
          .sorted(Comparator.comparingLong(CheckpointFolder::iteration)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list checkpoints in " + root, e);
    }
  }

  /** The folder names of the checkpoints under {@code root}, oldest first. */
  public static List<String> names(Path root) {
    return list(root).stream().map(p -> p.getFileName().toString()).toList();
  }

  /**
   * Refuses, before anything runs, a checkpoint folder that cannot be written: a file, a path
   * under a file, a folder (or its nearest existing parent) in which no folder can be created.
   * Probes by creating and removing a hidden folder; creates nothing that stays.
   */
  public static void requireWritable(Path root) {
    Path existing = root.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    if (!Files.isDirectory(existing)) {
      throw new IllegalArgumentException("checkpointDir " + root + ": " + existing + " is a "
          + (existing.equals(root.toAbsolutePath().normalize()) ? "file, expected a folder"
              : "file, not a folder, so no checkpoint folder can be created under it"));
    }
    Path probe = existing.resolve(".spark-gemm-probe-" + UUID.randomUUID());
    try {
      Files.createDirectory(probe);
      Files.delete(probe);
    } catch (IOException e) {
      throw new IllegalArgumentException("checkpointDir " + root + ": cannot create folders in "
          + existing + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  /** Deletes every checkpoint under {@code root}; returns their names. */
  public static List<String> clear(Path root) {
    List<String> removed = new ArrayList<>();
    for (Path p : list(root)) {
      deleteTree(p);
      removed.add(p.getFileName().toString());
    }
    return removed;
  }

  /** Deletes all but the {@code keep} newest checkpoints. */
  static void prune(Path root, int keep) {
    List<Path> all = list(root);
    for (int i = 0; i < all.size() - keep; i++) {
      deleteTree(all.get(i));
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }

  private static long iteration(Path p) {
    return Long.parseLong(p.getFileName().toString().substring(PREFIX.length()));
  }
}
