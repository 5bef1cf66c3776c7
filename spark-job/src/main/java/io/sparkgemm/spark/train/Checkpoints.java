package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.input.DriverFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Training checkpoints, written by the driver in a folder on any Hadoop file system
 * ({@link CheckpointFolder}): {@code iter-NNNNNNNN/} (NNNNNNNN the iteration of gd and lbfgs,
 * the steps taken by sgd and adam) holding θ as a model folder ({@link ModelDir}: {@code W.npy}
 * and {@code b.npy}, or one pair per layer, and {@code model.json}), {@code velocity.npy} (gd
 * and sgd with momentum), Adam's moments {@code adam-m.npy} and {@code adam-v.npy}, and
 * {@code state.json} (iteration, optimizer, history; for sgd and adam the epoch, the step within
 * it, the sums of the epoch under way, the finished epochs, batchRows and seed; the run it
 * belongs to, {@link RunIdentity}). Each is written under a temporary name and renamed into
 * place (atomic on local disks and HDFS), so a crash never leaves a half-written checkpoint; the
 * two newest are kept. Checkpoints of the linear model written before networks (no model.json),
 * and those written before the run was recorded, still load.
 */
public final class Checkpoints {
  private static final int KEEP = 2;
  private static final String VELOCITY = "velocity.npy";
  private static final String ADAM_M = "adam-m.npy";
  private static final String ADAM_V = "adam-v.npy";
  private static final String STATE = "state.json";

  private Checkpoints() {
  }

  /**
   * A checkpoint read back.
   *
   * @param velocity gd's or sgd's momentum buffer, or null
   * @param minibatch sgd's or adam's state (its moments included), or null for gd and lbfgs
   * @param batchRows sgd and adam: the run's rows per step (0 otherwise)
   * @param seed sgd and adam: the run's seed (0 otherwise)
   * @param dir its folder, {@code iter-NNNNNNNN} in the checkpoint folder
   * @param run the run it belongs to, or null in a checkpoint written before it was recorded
   */
  public record Checkpoint(String dir, int iteration, Optimizer optimizer, ModelDir.Model model,
      double[] velocity, MinibatchState minibatch, int batchRows, long seed,
      List<IterationRecord> history, RunIdentity run) {
    /** The checkpoint folder that holds it. */
    public String folder() {
      return new Path(dir).getParent().toString();
    }

    /** Where training continues from this checkpoint. */
    public Trainer.Start start() {
      return new Trainer.Start(model.theta().values(), iteration, velocity, history, minibatch);
    }
  }

  /** A checkpoint of the linear model trained by gd or lbfgs. */
  public static String write(CheckpointFolder root, int iteration, Optimizer optimizer,
      DenseBlock w, double[] b, double[] velocity, List<IterationRecord> history) {
    Theta theta = Theta.linear(w, b);
    ModelDir.Model model = new ModelDir.Model(theta, null,
        DType.FLOAT64);
    return write(root, iteration, optimizer, model, velocity, null, null, history, null);
  }

  /**
   * A checkpoint of any model and optimizer.
   *
   * @param velocity gd's momentum buffer (null for the other optimizers: sgd's is in the state)
   * @param minibatch sgd's or adam's state, null for gd and lbfgs
   * @param spec sgd and adam: the run's settings (batchRows and seed are kept), else null
   * @param run the run it belongs to (null: not recorded)
   * @return the checkpoint's folder
   */
  public static String write(CheckpointFolder root, int iteration, Optimizer optimizer,
      ModelDir.Model model, double[] velocity, MinibatchState minibatch, TrainSpec spec,
      List<IterationRecord> history, RunIdentity run) {
    FileSystem fs = root.fs();
    String name = CheckpointFolder.name(iteration);
    Path tmp = root.child("." + name + ".tmp-" + UUID.randomUUID());
    try {
      if (!fs.mkdirs(tmp)) {
        throw new IOException("mkdirs " + tmp + " failed");
      }
      ModelDir.write(file -> fs.create(new Path(tmp, file), false), model);
      double[] momentum = minibatch != null ? minibatch.velocity() : velocity;
      if (momentum != null) {
        writeNpy(fs, new Path(tmp, VELOCITY), NpyArray.ofVector(momentum));
      }
      if (minibatch != null && minibatch.m() != null) {
        writeNpy(fs, new Path(tmp, ADAM_M), NpyArray.ofVector(minibatch.m()));
        writeNpy(fs, new Path(tmp, ADAM_V), NpyArray.ofVector(minibatch.v()));
      }
      try (OutputStream out = fs.create(new Path(tmp, STATE), false)) {
        out.write(JsonFiles.bytes(CheckpointState.of(iteration, optimizer, minibatch, spec,
            history, run)));
      }
      Path target = root.child(name);
      if (fs.exists(target)) {
        root.delete(target);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename " + tmp + " -> " + target + " failed");
      }
      root.prune(KEEP);
      return target.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a checkpoint under " + root, e);
    } finally {
      removeQuietly(fs, tmp);
    }
  }

  /** Removes what a failed write left; the write's failure is the one to report. */
  private static void removeQuietly(FileSystem fs, Path tmp) {
    try {
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
    } catch (IOException ignored) {
      // nothing more to do: the folder is hidden and never listed as a checkpoint
    }
  }

  private static void writeNpy(FileSystem fs, Path file, NpyArray array) throws IOException {
    try (OutputStream out = fs.create(file, false)) {
      Npy.write(out, array);
    }
  }

  /** The newest checkpoint under {@code resumeDir}. */
  public static Checkpoint latest(CheckpointFolder resumeDir) {
    List<Path> all = resumeDir.list();
    if (all.isEmpty()) {
      throw new BadParameterException(param("resumeDir"), " " + resumeDir + ": no checkpoint ("
          + CheckpointFolder.PREFIX + "NNNNNNNN folder) found there");
    }
    return read(resumeDir.fs(), all.get(all.size() - 1));
  }

  /**
   * Reads and checks a whole checkpoint, so that a damaged one is refused (naming the file)
   * before anything runs: state.json's fields and types, the history, and the shapes of W, b
   * and the velocity against each other.
   */
  static Checkpoint read(FileSystem fs, Path dir) {
    Path statePath = new Path(dir, STATE);
    if (!isFile(fs, statePath)) {
      throw damaged(statePath, "missing (the checkpoint is incomplete)");
    }
    CheckpointState state;
    try (InputStream in = fs.open(statePath)) {
      state = JsonFiles.read(in, CheckpointState.class);
    } catch (JsonFiles.Invalid e) {
      throw damaged(statePath, e.syntax() ? notState(e.getMessage()) : e.getMessage());
    } catch (IOException e) {
      throw damaged(statePath, notState(e.getMessage()));
    }
    int iteration = state.iteration();
    String name = dir.getName();
    if (name.startsWith(CheckpointFolder.PREFIX)
        && !name.equals(CheckpointFolder.name(iteration))) {
      throw damaged(statePath, "iteration " + iteration + " does not match the folder " + name);
    }
    Optimizer optimizer = state.optimizerValue();
    RunIdentity run = run(statePath, state.run());
    ModelDir.Model model = exists(fs, new Path(dir, ModelDir.JSON)) ? model(fs, dir)
        : legacyModel(fs, dir);
    int parameters = model.theta().values().length;
    String need = Trainer.parameters(model.network()) + " " + parameters;
    double[] velocity = vector(fs, new Path(dir, VELOCITY), "the velocity", need, parameters,
        false);
    if (!optimizer.minibatch()) {
      return new Checkpoint(dir.toString(), iteration, optimizer, model, velocity, null, 0, 0,
          state.records(), run);
    }
    double[] m = null;
    double[] v = null;
    if (optimizer == Optimizer.ADAM) {
      m = vector(fs, new Path(dir, ADAM_M), "Adam's m", need, parameters, true);
      v = vector(fs, new Path(dir, ADAM_V), "Adam's v", need, parameters, true);
    }
    CheckpointState.Minibatch minibatch = state.minibatch();
    return new Checkpoint(dir.toString(), iteration, optimizer, model, null,
        minibatch.toState(velocity, m, v), minibatch.batchRows(), minibatch.seed(),
        state.records(), run);
  }

  private static String notState(String why) {
    return "not a JSON object with iteration, optimizer and history (" + why + ")";
  }

  /** The run a checkpoint belongs to; null where none was recorded (older checkpoints). */
  private static RunIdentity run(Path statePath, Map<String, Object> fields) {
    if (fields == null) {
      return null;
    }
    try {
      return RunIdentity.fromMap(fields);
    } catch (IllegalArgumentException e) {
      throw damaged(statePath, e.getMessage());
    }
  }

  /** θ from the checkpoint's model folder; its damage is the checkpoint's. */
  private static ModelDir.Model model(FileSystem fs, Path dir) {
    try {
      return ModelDir.read(fs.makeQualified(dir).toString(), fs.getConf());
    } catch (ModelDir.DamagedException e) {
      String name = e.file().substring(e.file().lastIndexOf('/') + 1);
      throw damaged(new Path(dir, name), e.problem());
    }
  }

  /** W.npy and b.npy of a checkpoint written before model.json. */
  private static ModelDir.Model legacyModel(FileSystem fs, Path dir) {
    Path wFile = new Path(dir, "W.npy");
    Path bFile = new Path(dir, "b.npy");
    DenseBlock w = DriverFiles.readNpy(fs, wFile).toBlock();
    if (w.numRows() < 1 || w.numCols() < 1) {
      throw damaged(wFile, "W is " + w.shape() + ", expected d x k with d, k >= 1");
    }
    double[] b = DriverFiles.readNpy(fs, bFile).toVector();
    if (b.length != w.numCols()) {
      throw damaged(bFile, "b has " + b.length + " values but W is " + w.shape()
          + " (b must have k = " + w.numCols() + ")");
    }
    Theta theta = Theta.linear(w, b);
    return new ModelDir.Model(theta, null, DType.FLOAT64);
  }

  /**
   * An optimizer's vector of one value per parameter, finite.
   *
   * @param required whether a missing file is damage (else null)
   */
  private static double[] vector(FileSystem fs, Path file, String what, String need,
      int parameters, boolean required) {
    if (!exists(fs, file)) {
      if (required) {
        throw damaged(file, "missing (" + what + " is part of the checkpoint of adam)");
      }
      return null;
    }
    double[] values = DriverFiles.readNpy(fs, file).toVector();
    if (values.length != parameters) {
      throw damaged(file, what + " has " + values.length + " values but " + need);
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw damaged(file, what + " has " + values[i] + " at index " + i);
      }
    }
    return values;
  }

  private static boolean exists(FileSystem fs, Path file) {
    try {
      return fs.exists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the checkpoint file " + file, e);
    }
  }

  private static boolean isFile(FileSystem fs, Path file) {
    try {
      return fs.getFileStatus(file).isFile();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the checkpoint file " + file, e);
    }
  }

  private static BadParameterException damaged(Path file, String problem) {
    return new BadParameterException(param("resumeDir"), ": the checkpoint file " + file
        + " is damaged: " + problem);
  }
}
