package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.ParamText;
import io.sparkgemm.local.backend.Lapack;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.Interrupts;
import io.sparkgemm.spark.RunInterruptedException;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.output.OutputDir;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.output.Report;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spark-gemm train} over cached blocks: trains, prints a line per iteration (gd, lbfgs)
 * or per epoch and every N steps (sgd, adam), writes checkpoints, and at the end writes the
 * model folder ({@link ModelDir}: W.npy and b.npy for the linear model, one pair per layer for
 * a network, and model.json), loss.png and report.json all or nothing. A run stopped by SIGINT
 * or SIGTERM ({@link Interrupts}) commits nothing and says which checkpoint to resume from.
 */
public final class TrainJob {
  private TrainJob() {
  }

  /**
   * @param checkpointDir where checkpoints go, on any Hadoop file system (null: none)
   * @param checkpointEvery write one every this many iterations (gd, lbfgs) or steps (sgd,
   *     adam); 0: none
   * @param logEvery sgd and adam: a line every this many steps too (0: only per epoch)
   * @param standardize train on standardised features ({@link InputScaling}); the model
   *     written runs on raw rows
   * @param run what the run is, recorded in every checkpoint (null: not recorded)
   */
  public record Settings(String out, boolean overwrite, String checkpointDir,
      int checkpointEvery, Map<String, Object> inputs, int logEvery, boolean standardize,
      RunIdentity run) {
    public Settings(String out, boolean overwrite, String checkpointDir, int checkpointEvery,
        Map<String, Object> inputs) {
      this(out, overwrite, checkpointDir, checkpointEvery, inputs, 0, false, null);
    }

    /** The checkpoint folder, with the running session's file systems; null for none. */
    CheckpointFolder checkpoints() {
      return checkpointDir == null ? null
          : CheckpointFolder.of(checkpointDir, OutputPaths.hadoopConf());
    }
  }

  public record Outcome(Trainer.Result result, Report report, String outDir) {
  }

  /** The linear model d -> {@code outFeatures}, or the spec's network. */
  public static Outcome run(SparkSession spark, BlockedInput input, TrainSpec spec,
      Trainer.Start start, int outFeatures, Settings settings, PrintWriter console) {
    return run(spark, input, spec, start, spec.network(input.numFeatures(), outFeatures),
        settings, console);
  }

  public static Outcome run(SparkSession spark, BlockedInput input, TrainSpec spec,
      Trainer.Start start, Network network, Settings settings, PrintWriter console) {
    OutputDir dir = OutputDir.create(settings.out(), settings.overwrite(),
        spark.sparkContext().hadoopConfiguration());
    // if the JVM stops and this thread is not woken by Spark's stop, the hook cleans up and
    // says where to resume from
    try (dir; Interrupts.Registration words = Interrupts.lastWords(() -> {
      dir.close();
      return interrupted(settings, null).text();
    })) {
      Outcome outcome;
      try {
        outcome = train(spark, input, spec, start, network, settings, console, dir);
      } catch (Exception e) {
        // Spark's job failures are SparkException, a checked exception Scala throws unchecked:
        // catch Exception, so a stop by SIGINT is told apart whatever failed first.
        if (Interrupts.begun()) {
          throw interrupted(settings, e);
        }
        throw e;
      }
      if (Interrupts.begun()) {
        throw interrupted(settings, null);
      }
      dir.commit();
      console.println("output: " + dir.target());
      console.flush();
      return outcome;
    }
  }

  /** Trains and writes the outputs into {@code dir}, uncommitted. */
  private static Outcome train(SparkSession spark, BlockedInput input, TrainSpec spec,
      Trainer.Start start, Network network, Settings settings, PrintWriter console,
      OutputDir dir) {
    Objective objective = new Objective(spark, input, network, spec);
    if (settings.standardize()) {
      objective.standardize(InputScaling.measure(spark, input));
    }
    boolean linear = network.numLayers() == 1;
    boolean minibatch = spec.optimizer().minibatch();
    double kappaStart = linear
        ? Lapack.conditionNumber(Theta.of(network, start.theta()).weight(0)) : Double.NaN;
    console.println(header(input, spec, network, minibatch ? objective.stepsPerEpoch(
        spec.batchRows()) : 0, kappaStart));
    console.flush();
    List<IterationRecord> sofar = new ArrayList<>(start.history());
    Trainer.Result result;
    try {
      result = Trainer.train(objective, spec, start,
          listener(spec, network, settings, console, sofar, objective::modelTheta));
    } catch (TrainingDivergedException e) {
      throw e.withNote(checkpointNote(settings));
    }
    double kappaEnd = linear
        ? Lapack.conditionNumber(Theta.of(network, objective.modelTheta(result.theta()))
            .weight(0))
        : Double.NaN;
    List<String> modelFiles = ModelDir.write(dir, new ModelDir.Model(Theta.of(network,
        objective.modelTheta(result.theta())), spec.loss(), spec.dtype()));
    try (OutputStream s = dir.create("loss.png")) {
      String title = "spark-gemm train: " + spec.loss().label() + ", "
          + spec.optimizer().label() + (linear ? "" : ", " + network.describe());
      s.write(minibatch ? LossPlot.epochsPng(result.epochs(), title)
          : LossPlot.png(result.history(), title));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write loss.png", e);
    }
    Report report = report(input, spec, network, start, result, objective, kappaStart,
        kappaEnd, settings, modelFiles);
    report.write(dir);
    summary(console, input, spec, start, result, kappaStart, kappaEnd, linear);
    return new Outcome(result, report, dir.target());
  }

  /**
   * What a run stopped by SIGINT or SIGTERM leaves: nothing at outputDir, and the checkpoints to
   * resume from.
   */
  static RunInterruptedException interrupted(Settings settings, Throwable cause) {
    String head = "nothing was written to " + settings.out();
    CheckpointFolder ckpt = settings.checkpoints();
    List<String> names = ckpt == null ? List.of() : ckpt.names();
    Object resumedFrom = settings.inputs().get("resume");
    ParamText tail;
    if (!names.isEmpty()) {
      tail = ParamText.of("; resume from the newest checkpoint, " + names.get(names.size() - 1)
          + ", with the same flags and ", param("resumeDir"), " " + ckpt);
    } else if (resumedFrom != null) {
      tail = ParamText.of("; no newer checkpoint was written: resume again with ",
          param("resumeDir"), " " + new Path(resumedFrom.toString()).getParent());
    } else {
      tail = ckpt == null
          ? ParamText.of("; no checkpoints were written (", param("checkpointEvery"), " is 0)")
          : ParamText.of("; no checkpoint was written yet to " + ckpt);
    }
    return new RunInterruptedException(ParamText.of(head, tail), cause);
  }

  /** What a diverged run leaves: nothing at --out, and which checkpoint to resume from. */
  static ParamText checkpointNote(Settings settings) {
    CheckpointFolder root = settings.checkpoints();
    List<String> written = settings.checkpointEvery() > 0 && root != null
        ? root.names() : List.of();
    ParamText head = ParamText.of("Nothing was written to ", param("outputDir"), "; ");
    if (written.isEmpty()) {
      return head.plus("no checkpoint was written", settings.checkpointEvery() > 0 ? " yet."
          : ParamText.of(" (", param("checkpointEvery"), " N writes them)."));
    }
    return head.plus("the last checkpoint written is "
        + root.child(written.get(written.size() - 1)) + " (", param("resumeDir"),
        " " + root + " continues from it).");
  }

  private static String header(BlockedInput input, TrainSpec spec, Network network,
      int stepsPerEpoch, double kappaStart) {
    String head = String.format(Locale.ROOT, "train %s with %s: X %d x %d, ", spec.loss().label(),
        spec.optimizer().label(), input.numRows(), input.numFeatures());
    String model = network.numLayers() == 1
        ? String.format(Locale.ROOT, "W %d x %d", network.inFeatures(), network.outFeatures())
        : String.format(Locale.ROOT, "network %s (%d parameters)", network.describe(),
            network.numParameters());
    String tail = network.numLayers() == 1
        ? String.format(Locale.ROOT, ", reg %g, κ(W) at start %.6g", spec.regParam(), kappaStart)
        : String.format(Locale.ROOT, ", reg %g", spec.regParam());
    if (stepsPerEpoch > 0) {
      tail += String.format(Locale.ROOT, "; %d epochs of %d steps of %d rows, lr %g (%s)",
          spec.epochs(), stepsPerEpoch, spec.batchRows(), spec.learningRate(),
          spec.lrSchedule().label());
    }
    return head + model + tail;
  }

  /** @param toModel θ as the optimizer moves it to the θ a model folder holds */
  private static Trainer.Listener listener(TrainSpec spec, Network network, Settings settings,
      PrintWriter console, List<IterationRecord> sofar, UnaryOperator<double[]> toModel) {
    boolean minibatch = spec.optimizer().minibatch();
    CheckpointFolder checkpoints = settings.checkpointEvery() > 0 ? settings.checkpoints() : null;
    return new Trainer.Listener() {
      @Override
      public void onIteration(IterationRecord record, double[] theta, double[] velocity) {
        sofar.add(record);
        if (minibatch) {
          return;
        }
        console.println(record.line());
        console.flush();
        int it = record.iteration();
        if (settings.checkpointEvery() > 0 && it > 0 && it % settings.checkpointEvery() == 0) {
          Checkpoints.write(checkpoints, it, spec.optimizer(), model(theta),
              velocity, null, null, sofar, settings.run());
        }
      }

      @Override
      public void onStep(StepRecord record, double[] theta, MinibatchState state) {
        if (settings.logEvery() > 0 && record.step() % settings.logEvery() == 0) {
          console.println(record.line());
          console.flush();
        }
        if (settings.checkpointEvery() > 0 && record.step() % settings.checkpointEvery() == 0) {
          Checkpoints.write(checkpoints, Math.toIntExact(record.step()),
              spec.optimizer(), model(theta), null, state, spec, sofar, settings.run());
        }
      }

      @Override
      public void onEpoch(EpochRecord record, double[] theta, MinibatchState state) {
        console.println(record.line());
        console.flush();
      }

      private ModelDir.Model model(double[] theta) {
        return new ModelDir.Model(Theta.of(network, toModel.apply(theta)), spec.loss(),
            spec.dtype());
      }
    };
  }

  private static void summary(PrintWriter console, BlockedInput input, TrainSpec spec,
      Trainer.Start start, Trainer.Result result, double kappaStart, double kappaEnd,
      boolean linear) {
    IterationRecord last = result.last();
    String kappa = linear ? String.format(Locale.ROOT, "; κ(W) %.6g -> %.6g", kappaStart,
        kappaEnd) : "";
    if (spec.optimizer().minibatch()) {
      EpochRecord e = result.epochs().get(result.epochs().size() - 1);
      console.printf(Locale.ROOT, "stopped: %s after epoch %d (step %d); loss %.10g (mean over "
          + "the epoch's steps), ||grad|| %.4e%s%n", result.stopReason().label(), e.epoch(),
          e.step(), e.objective(), e.gradientNorm(), kappa);
      console.printf(Locale.ROOT, "read+block %.2f s, train %.2f s (%d steps, %.0f rows/s)%n",
          input.seconds(), result.seconds(), result.passes(), rowsPerSecond(result));
      return;
    }
    console.printf(Locale.ROOT, "stopped: %s after iteration %d; objective %.10g, "
        + "||grad|| %.4e%s%n", result.stopReason().label(), last.iteration(),
        last.objective(), last.gradientNorm(), kappa);
    int iterations = last.iteration() - start.iteration();
    console.printf(Locale.ROOT, "read+block %.2f s, train %.2f s (%d iterations, %d passes%s)%n",
        input.seconds(), result.seconds(), iterations, result.passes(), iterations == 0 ? ""
            : String.format(Locale.ROOT, ", %.3f s per iteration",
                secondsPerIteration(result, start)));
  }

  /** Rows trained per second over the epochs this run trained (not a resumed run's earlier). */
  static double rowsPerSecond(Trainer.Result result) {
    long rows = 0;
    double seconds = 0;
    for (EpochRecord e : result.epochs()) {
      rows += e.rows();
      seconds += e.seconds();
    }
    return seconds > 0 ? rows / seconds : 0;
  }

  static double secondsPerIteration(Trainer.Result result, Trainer.Start start) {
    int iterations = result.last().iteration() - start.iteration();
    return iterations > 0 ? result.seconds() / iterations : result.seconds();
  }

  private static Report report(BlockedInput input, TrainSpec spec, Network network,
      Trainer.Start start, Trainer.Result result, Objective objective, double kappaStart,
      double kappaEnd, Settings settings, List<String> modelFiles) {
    int d = input.numFeatures();
    int k = network.outFeatures();
    boolean linear = network.numLayers() == 1;
    boolean minibatch = spec.optimizer().minibatch();
    Report r = new Report();
    r.put("command", "train");
    r.put("inputs", settings.inputs());
    Map<String, Object> shapes = r.section("shapes");
    shapes.put("X", Report.shape(input.numRows(), d));
    if (linear) {
      shapes.put("W", Report.shape(d, k));
      shapes.put("b", Report.shape(k));
    } else {
      for (int l = 0; l < network.numLayers(); l++) {
        shapes.put("W" + l, Report.shape(network.size(l), network.size(l + 1)));
        shapes.put("b" + l, Report.shape(network.size(l + 1)));
      }
    }
    r.put("standardize", settings.standardize());
    Map<String, Object> net = r.section("network");
    net.put("describe", network.describe());
    net.put("sizes", network.sizes());
    net.put("activations", network.activations().stream().map(Activation::label).toList());
    net.put("parameters", network.numParameters());
    if (!linear) {
      net.put("init", spec.init());
    }
    r.put("loss", spec.loss().label());
    r.put("objective", linear
        ? "loss + (reg/2)·||W||², loss averaged over rows; b not penalised"
        : "loss + (reg/2)·Σ||W_l||², loss averaged over rows; biases not penalised");
    r.put("optimizer", spec.optimizer().label());
    Map<String, Object> hyper = r.section("settings");
    hyper.put("reg", spec.regParam());
    if (!minibatch) {
      hyper.put("maxIter", spec.maxIter());
      hyper.put("tol", spec.tol());
    }
    if (spec.optimizer() == Optimizer.LBFGS) {
      hyper.put("memory", spec.lbfgsMemory());
    } else {
      hyper.put("learningRate", spec.learningRate());
    }
    if (spec.optimizer() == Optimizer.GD || spec.optimizer() == Optimizer.SGD) {
      hyper.put("momentum", spec.momentum());
      hyper.put("nesterov", spec.nesterov());
    }
    if (minibatch) {
      minibatchSettings(hyper, spec);
    }
    hyper.put("dtype", spec.dtype().label());
    hyper.put(minibatch ? "resumedFromStep" : "resumedFromIteration",
        start.iteration() > 0 ? start.iteration() : null);
    IterationRecord last = result.last();
    r.put("stopReason", result.stopReason().label());
    r.put(minibatch ? "steps" : "iterations", last.iteration());
    if (minibatch) {
      r.put("epochs", result.epochs().size());
    }
    r.put("finalObjective", last.objective());
    r.put("finalLoss", last.loss());
    r.put("finalGradientNorm", last.gradientNorm());
    if (linear) {
      Map<String, Object> kappa = r.section("conditionNumberW");
      kappa.put("start", finite(kappaStart));
      kappa.put("end", finite(kappaEnd));
    }
    r.put("backend", objective.backends().size() == 1 ? objective.backends().get(0)
        : objective.backends());
    r.put("partitions", input.numPartitions());
    r.put("blocks", input.numBlocks());
    r.put("treeDepth", objective.treeDepth());
    Map<String, Object> seconds = r.section("seconds");
    seconds.put("readAndBlock", input.seconds());
    seconds.put("train", result.seconds());
    seconds.put("passes", objective.passSeconds());
    if (minibatch) {
      seconds.put("perStep", result.passes() > 0 ? result.seconds() / result.passes() : 0);
      r.put("rowsPerSecond", rowsPerSecond(result));
    } else {
      seconds.put("perIteration", secondsPerIteration(result, start));
    }
    r.put("passes", result.passes());
    r.put("bytesToDriver", objective.bytesToDriver());
    List<Map<String, Object>> history = new ArrayList<>();
    for (IterationRecord rec : result.history()) {
      history.add(rec.toMap());
    }
    r.put("history", history);
    if (minibatch) {
      List<Map<String, Object>> epochs = new ArrayList<>();
      for (EpochRecord rec : result.epochs()) {
        epochs.add(rec.toMap());
      }
      r.put("epochHistory", epochs);
    }
    Map<String, Object> outputs = new LinkedHashMap<>();
    if (linear) {
      outputs.put("W", "W.npy");
      outputs.put("b", "b.npy");
    } else {
      outputs.put("parameters", modelFiles.subList(0, modelFiles.size() - 1));
    }
    outputs.put("model", ModelDir.JSON);
    outputs.put("plot", "loss.png");
    r.put("outputs", outputs);
    return r;
  }

  private static void minibatchSettings(Map<String, Object> hyper, TrainSpec spec) {
    hyper.put("batchRows", spec.batchRows());
    hyper.put("epochs", spec.epochs());
    hyper.put("seed", spec.seed());
    if (spec.optimizer() == Optimizer.ADAM) {
      hyper.put("beta1", spec.beta1());
      hyper.put("beta2", spec.beta2());
      hyper.put("epsilon", spec.epsilon());
    }
    hyper.put("weightDecay", spec.weightDecay());
    hyper.put("weightDecayForm", spec.optimizer() == Optimizer.ADAM
        ? "decoupled (AdamW): θ −= lr·λ·W" : "L2 through the gradient: g += λ·W");
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("kind", spec.lrSchedule().label());
    schedule.put("warmupSteps", spec.warmupSteps());
    if (spec.lrSchedule() == LrSchedule.STEP) {
      schedule.put("every", spec.lrStepEvery());
      schedule.put("gamma", spec.lrGamma());
    }
    if (spec.lrSchedule() == LrSchedule.COSINE) {
      schedule.put("min", spec.lrMin());
    }
    hyper.put("lrSchedule", schedule);
  }

  private static Object finite(double v) {
    return Double.isFinite(v) ? (Object) v : Double.toString(v);
  }

  static void writeNpy(OutputDir dir, String name, NpyArray array) {
    try (OutputStream s = dir.create(name)) {
      Npy.write(s, array);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name, e);
    }
  }
}
