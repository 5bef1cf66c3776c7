package io.sparkgemm.spark.train;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.Comparator;
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
  public record Checkpoint(Path dir, int iteration, Optimizer optimizer, DenseBlock w, double[] b,
      double[] velocity, List<IterationRecord> history) {
  }

  public static Path write(Path root, int iteration, Optimizer optimizer, DenseBlock w, double[] b,
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
      state.put("optimizer", optimizer.label());
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

  /** The newest checkpoint under {@code resumeDir}. */
  public static Checkpoint latest(Path resumeDir) {
    List<Path> all;
    try {
      all = Files.isDirectory(resumeDir) ? list(resumeDir) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list checkpoints in " + resumeDir, e);
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("resumeDir " + resumeDir + ": no checkpoint (" + PREFIX
          + "NNNNNNNN folder) found there");
    }
    return read(all.get(all.size() - 1));
  }

  /**
   * Reads and checks a whole checkpoint, so that a damaged one is refused (naming the file)
   * before anything runs: state.json's fields and types, the history, and the shapes of W, b
   * and the velocity against each other.
   */
  static Checkpoint read(Path dir) {
    Path statePath = dir.resolve("state.json");
    if (!Files.isRegularFile(statePath)) {
      throw damaged(statePath, "missing (the checkpoint is incomplete)");
    }
    Map<String, Object> state;
    try {
      state = new ObjectMapper().readValue(statePath.toFile(),
          new TypeReference<Map<String, Object>>() { });
    } catch (IOException e) {
      throw damaged(statePath, "not a JSON object with iteration, optimizer and history ("
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage())
          + ")");
    }
    if (state == null) {
      throw damaged(statePath, "empty");
    }
    int iteration = integer(statePath, "iteration", state.get("iteration"));
    String name = dir.getFileName().toString();
    if (name.startsWith(PREFIX) && !name.equals(String.format("%s%08d", PREFIX, iteration))) {
      throw damaged(statePath, "iteration " + iteration + " does not match the folder " + name);
    }
    if (!(state.get("optimizer") instanceof String label)
        || !Optimizer.LABELS.contains(label)) {
      throw damaged(statePath, "optimizer is " + describe(state.get("optimizer"))
          + ", expected one of " + String.join(", ", Optimizer.LABELS));
    }
    Optimizer optimizer = Optimizer.parse(label);
    if (!(state.get("history") instanceof List<?> rows) || rows.isEmpty()) {
      throw damaged(statePath, "history is " + describe(state.get("history"))
          + ", expected a list of iteration records");
    }
    List<IterationRecord> history = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      history.add(record(statePath, i, rows.get(i)));
    }
    if (history.get(history.size() - 1).iteration() != iteration) {
      throw damaged(statePath, "the history ends at iteration "
          + history.get(history.size() - 1).iteration() + " but the checkpoint is of iteration "
          + iteration);
    }
    DenseBlock w = Npy.read(dir.resolve("W.npy")).toBlock();
    if (w.numRows() < 1 || w.numCols() < 1) {
      throw damaged(dir.resolve("W.npy"), "W is " + w.shape() + ", expected d x k with d, k >= 1");
    }
    double[] b = Npy.read(dir.resolve("b.npy")).toVector();
    if (b.length != w.numCols()) {
      throw damaged(dir.resolve("b.npy"), "b has " + b.length + " values but W is " + w.shape()
          + " (b must have k = " + w.numCols() + ")");
    }
    Path velocityPath = dir.resolve("velocity.npy");
    double[] velocity = null;
    if (Files.exists(velocityPath)) {
      velocity = Npy.read(velocityPath).toVector();
      long parameters = (long) w.numRows() * w.numCols() + w.numCols();
      if (velocity.length != parameters) {
        throw damaged(velocityPath, "the velocity has " + velocity.length + " values but W ("
            + w.shape() + ") and b need " + parameters);
      }
      for (int i = 0; i < velocity.length; i++) {
        if (!Double.isFinite(velocity[i])) {
          throw damaged(velocityPath, "the velocity has " + velocity[i] + " at index " + i);
        }
      }
    }
    return new Checkpoint(dir, iteration, optimizer, w, b, velocity, history);
  }

  private static IterationRecord record(Path file, int index, Object row) {
    if (!(row instanceof Map<?, ?> fields)) {
      throw damaged(file, "history[" + index + "] is " + describe(row) + ", expected an object");
    }
    for (String key : List.of("iteration", "objective", "loss", "gradientNorm", "step",
        "seconds", "passes")) {
      if (!(fields.get(key) instanceof Number)) {
        throw damaged(file, "history[" + index + "]." + key + " is " + describe(fields.get(key))
            + ", expected a number");
      }
    }
    integer(file, "history[" + index + "].iteration", fields.get("iteration"));
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) fields;
    return IterationRecord.fromMap(map);
  }

  /** A whole number >= 0 that fits an int. */
  private static int integer(Path file, String field, Object value) {
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0
        || ((Number) value).longValue() > Integer.MAX_VALUE) {
      throw damaged(file, field + " is " + describe(value) + ", expected a whole number >= 0");
    }
    return ((Number) value).intValue();
  }

  private static String describe(Object value) {
    if (value == null) {
      return "missing";
    }
    return value instanceof String text ? "the string \"" + text + "\"" : String.valueOf(value);
  }

  private static IllegalArgumentException damaged(Path file, String problem) {
    return new IllegalArgumentException("resumeDir: the checkpoint file " + file + " is damaged: "
        + problem);
  }

  private static List<Path> list(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
          && Files.isDirectory(p)).sorted().toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
