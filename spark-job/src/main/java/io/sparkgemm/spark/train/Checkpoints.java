package io.sparkgemm.spark.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training checkpoints in a folder on the driver: {@code iter-NNNNNNNN/} holding {@code W.npy},
 * {@code b.npy}, {@code velocity.npy} (gd with momentum) and {@code state.json} (iteration,
 * optimizer, history). Each is written under a temporary name and renamed into place, so a
 * crash never leaves a half-written checkpoint; the two newest are kept.
 */
public final class Checkpoints {
  private static final String PREFIX = "iter-";
  private static final int KEEP = 2;

  private Checkpoints() {
  }

  /** A checkpoint read back. */
  public record Checkpoint(Path dir, int iteration, String optimizer, DenseBlock w, double[] b,
      double[] velocity, List<IterationRecord> history) {
  }

  public static Path write(Path root, int iteration, String optimizer, DenseBlock w, double[] b,
      double[] velocity, List<IterationRecord> history) {
    try {
      Files.createDirectories(root);
      String name = String.format("%s%08d", PREFIX, iteration);
      Path tmp = Files.createTempDirectory(root, "." + name + ".tmp-");
      Npy.write(tmp.resolve("W.npy"), NpyArray.of(w));
      Npy.write(tmp.resolve("b.npy"), NpyArray.ofVector(b));
      if (velocity != null) {
        Npy.write(tmp.resolve("velocity.npy"), NpyArray.ofVector(velocity));
      }
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("iteration", iteration);
      state.put("optimizer", optimizer);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (IterationRecord r : history) {
        rows.add(r.toMap());
      }
      state.put("history", rows);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(tmp.resolve("state.json").toFile(), state);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        deleteTree(target);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      List<Path> all = list(root);
      for (int i = 0; i < all.size() - KEEP; i++) {
        deleteTree(all.get(i));
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a checkpoint under " + root, e);
    }
  }

  /** The newest checkpoint under {@code root}. */
  public static Checkpoint latest(Path root) {
    List<Path> all;
    try {
      all = Files.isDirectory(root) ? list(root) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list checkpoints in " + root, e);
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("--resume " + root + ": no checkpoint (" + PREFIX
          + "NNNNNNNN folder) found there");
    }
    return read(all.get(all.size() - 1));
  }

  static Checkpoint read(Path dir) {
    try {
      Map<String, Object> state = new ObjectMapper().readValue(dir.resolve("state.json").toFile(),
          new TypeReference<Map<String, Object>>() { });
      List<IterationRecord> history = new ArrayList<>();
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rows = (List<Map<String, Object>>) state.get("history");
      for (Map<String, Object> row : rows) {
        history.add(IterationRecord.fromMap(row));
      }
      Path velocity = dir.resolve("velocity.npy");
      return new Checkpoint(dir, ((Number) state.get("iteration")).intValue(),
          (String) state.get("optimizer"), Npy.read(dir.resolve("W.npy")).toBlock(),
          Npy.read(dir.resolve("b.npy")).toVector(),
          Files.exists(velocity) ? Npy.read(velocity).toVector() : null, history);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the checkpoint " + dir, e);
    }
  }

  private static List<Path> list(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
          && Files.isDirectory(p)).sorted().toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
