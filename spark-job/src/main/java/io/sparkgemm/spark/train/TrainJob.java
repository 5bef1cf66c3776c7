package io.sparkgemm.spark.train;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.Lapack;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.output.OutputDir;
import io.sparkgemm.spark.output.Report;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spark-gemm train} over cached blocks: trains, prints a line per iteration, writes
 * checkpoints, and at the end writes W.npy, b.npy, loss.png and report.json all or nothing.
 */
public final class TrainJob {
  private TrainJob() {
  }

  /**
   * @param checkpointDir where checkpoints go (null: none)
   * @param checkpointEvery write one every this many iterations (0: none)
   */
  public record Settings(String out, boolean overwrite, Path checkpointDir, int checkpointEvery,
      Map<String, Object> inputs) {
  }

  public record Outcome(Trainer.Result result, Report report, String outDir) {
  }

  public static Outcome run(SparkSession spark, BlockedInput input, TrainSpec spec,
      Trainer.Start start, int outFeatures, Settings settings, PrintWriter console) {
    OutputDir dir = OutputDir.create(settings.out(), settings.overwrite(),
        spark.sparkContext().hadoopConfiguration());
    try (dir) {
      Objective objective = new Objective(spark, input, outFeatures, spec);
      double kappaStart = Lapack.conditionNumber(objective.weights(start.theta()));
      console.printf(Locale.ROOT, "train %s with %s: X %d x %d, W %d x %d, reg %g, "
          + "κ(W) at start %.6g%n", spec.loss().label(), spec.optimizer().label(),
          input.numRows(), input.numFeatures(), input.numFeatures(), outFeatures,
          spec.regParam(), kappaStart);
      console.flush();
      List<IterationRecord> sofar = new ArrayList<>(start.history());
      Trainer.Result result = Trainer.train(objective, spec, start, (record, theta, velocity) -> {
        console.println(record.line());
        console.flush();
        sofar.add(record);
        int it = record.iteration();
        if (settings.checkpointEvery() > 0 && it > 0 && it % settings.checkpointEvery() == 0) {
          Checkpoints.write(settings.checkpointDir(), it, spec.optimizer(),
              objective.weights(theta), objective.bias(theta), velocity, sofar);
        }
      });
      DenseBlock w = objective.weights(result.theta());
      double[] b = objective.bias(result.theta());
      double kappaEnd = Lapack.conditionNumber(w);
      writeNpy(dir, "W.npy", NpyArray.of(w));
      writeNpy(dir, "b.npy", NpyArray.ofVector(b));
      try (OutputStream s = dir.create("loss.png")) {
        s.write(LossPlot.png(result.history(), "spark-gemm train: " + spec.loss().label()
            + ", " + spec.optimizer().label()));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write loss.png", e);
      }
      Report report = report(input, spec, start, result, objective, kappaStart, kappaEnd,
          settings);
      report.write(dir);
      dir.commit();
      IterationRecord last = result.last();
      console.printf(Locale.ROOT, "stopped: %s after iteration %d; objective %.10g, "
          + "||grad|| %.4e; κ(W) %.6g -> %.6g%n", result.stopReason().label(), last.iteration(),
          last.objective(), last.gradientNorm(), kappaStart, kappaEnd);
      int iterations = last.iteration() - start.iteration();
      console.printf(Locale.ROOT, "read+block %.2f s, train %.2f s (%d iterations, %d passes%s)%n",
          input.seconds(), result.seconds(), iterations, result.passes(), iterations == 0 ? ""
              : String.format(Locale.ROOT, ", %.3f s per iteration",
                  secondsPerIteration(result, start)));
      console.println("output: " + dir.target());
      console.flush();
      return new Outcome(result, report, dir.target());
    }
  }

  static double secondsPerIteration(Trainer.Result result, Trainer.Start start) {
    int iterations = result.last().iteration() - start.iteration();
    return iterations > 0 ? result.seconds() / iterations : result.seconds();
  }

  private static Report report(BlockedInput input, TrainSpec spec, Trainer.Start start,
      Trainer.Result result, Objective objective, double kappaStart, double kappaEnd,
      Settings settings) {
    int d = input.numFeatures();
    int k = objective.outFeatures();
    Report r = new Report();
    r.put("command", "train");
    r.put("inputs", settings.inputs());
    Map<String, Object> shapes = r.section("shapes");
    shapes.put("X", Report.shape(input.numRows(), d));
    shapes.put("W", Report.shape(d, k));
    shapes.put("b", Report.shape(k));
    r.put("loss", spec.loss().label());
    r.put("objective", "loss + (reg/2)·||W||², loss averaged over rows; b not penalised");
    r.put("optimizer", spec.optimizer().label());
    Map<String, Object> hyper = r.section("settings");
    hyper.put("reg", spec.regParam());
    hyper.put("maxIter", spec.maxIter());
    hyper.put("tol", spec.tol());
    if (spec.optimizer() == Optimizer.GD) {
      hyper.put("learningRate", spec.learningRate());
      hyper.put("momentum", spec.momentum());
      hyper.put("nesterov", spec.nesterov());
    } else {
      hyper.put("memory", spec.lbfgsMemory());
    }
    hyper.put("dtype", spec.dtype().label());
    hyper.put("resumedFromIteration", start.iteration() > 0 ? start.iteration() : null);
    IterationRecord last = result.last();
    r.put("stopReason", result.stopReason().label());
    r.put("iterations", last.iteration());
    r.put("finalObjective", last.objective());
    r.put("finalLoss", last.loss());
    r.put("finalGradientNorm", last.gradientNorm());
    Map<String, Object> kappa = r.section("conditionNumberW");
    kappa.put("start", finite(kappaStart));
    kappa.put("end", finite(kappaEnd));
    r.put("backend", objective.backends().size() == 1 ? objective.backends().get(0)
        : objective.backends());
    r.put("partitions", input.numPartitions());
    r.put("blocks", input.numBlocks());
    r.put("treeDepth", objective.treeDepth());
    Map<String, Object> seconds = r.section("seconds");
    seconds.put("readAndBlock", input.seconds());
    seconds.put("train", result.seconds());
    seconds.put("passes", objective.passSeconds());
    seconds.put("perIteration", secondsPerIteration(result, start));
    r.put("passes", result.passes());
    List<Map<String, Object>> history = new ArrayList<>();
    for (IterationRecord rec : result.history()) {
      history.add(rec.toMap());
    }
    r.put("history", history);
    r.put("outputs", Map.of("W", "W.npy", "b", "b.npy", "plot", "loss.png"));
    return r;
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
