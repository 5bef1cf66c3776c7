package io.sparkgemm.spark.job;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.local.backend.Lapack;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.output.OutputDir;
import io.sparkgemm.spark.output.Report;
import io.sparkgemm.spark.output.RowOutputs;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.NonFiniteGradientException;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * A forward or backward pass over cached blocks, with its outputs written all or nothing to an
 * output folder and described in {@code report.json}.
 */
public final class LayerJob {
  private LayerJob() {
  }

  /** What a job wrote and measured, for the console summary ({@code pass} is closed). */
  public record Outcome(PassResult pass, Report report, String outDir) {
  }

  /**
   * The forward or backward pass of the linear layer (θ of {@code Network.linear(d, k)}): Y,
   * or dW, db and dX, written with report.json to {@code output}.
   */
  public static Outcome run(SparkSession spark, BlockedInput input, Theta theta,
      PassSpec spec, JobOutput output) {
    if (!theta.network().isLinear()) {
      throw new IllegalArgumentException("A layer job runs the linear layer, got the network "
          + theta.network().describe());
    }
    DenseBlock w = theta.weight(0);
    OutputDir dir = OutputDir.create(output.dir(), output.overwrite(),
        spark.sparkContext().hadoopConfiguration());
    try (dir; PassResult pass = LinearPass.run(spark, input, theta, spec)) {
      if (spec.backward() && !output.allowNonFinite()) {
        requireFinite(pass.gradient().layer(0));
      }
      long writeStart = System.nanoTime();
      Map<String, String> written = new LinkedHashMap<>();
      if (spec.backward()) {
        GradientAccumulator g = pass.gradient().layer(0);
        RowOutputs.writeNpy(dir, "dW.npy", NpyArray.of(g.dwBlock()));
        RowOutputs.writeNpy(dir, "db.npy", NpyArray.ofVector(g.db()));
        written.put("dW", "dW.npy");
        written.put("db", "db.npy");
        if (spec.inputGradient()) {
          written.put("dX", RowOutputs.write(spark, pass.outputBlocks("dX"),
              pass.spec().dtype(), input, dir, "dX", w.numRows()));
        }
      }
      if (spec.keepOutput()) {
        written.put("Y", RowOutputs.write(spark, pass.outputBlocks("Y"),
            pass.spec().dtype(), input, dir, "Y", w.numCols()));
      }
      double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
      Report report = report(input, w, pass, output.inputs(), written, writeSeconds);
      report.write(dir);
      dir.commit();
      return new Outcome(pass, report, dir.target());
    }
  }

  private static Report report(BlockedInput input, DenseBlock w, PassResult pass,
      Map<String, Object> inputs, Map<String, String> written, double writeSeconds) {
    long n = input.numRows();
    int d = w.numRows();
    int k = w.numCols();
    PassSpec spec = pass.spec();
    Report r = new Report();
    r.put("command", spec.backward() ? "backward" : "forward");
    r.put("inputs", inputs);
    Map<String, Object> shapes = r.section("shapes");
    shapes.put("X", Report.shape(n, d));
    shapes.put("W", Report.shape(d, k));
    shapes.put("b", Report.shape(k));
    shapes.put("Y", Report.shape(n, k));
    if (spec.backward()) {
      shapes.put("G", Report.shape(n, k));
      shapes.put("dW", Report.shape(d, k));
      shapes.put("db", Report.shape(k));
      if (spec.inputGradient()) {
        shapes.put("dX", Report.shape(n, d));
      }
    }
    putBlocks(r, input, pass);
    if (spec.backward()) {
      GradientAccumulator g = pass.gradient().layer(0);
      r.put("loss", spec.loss().label());
      r.put("lossValue", g.loss());
      r.put("treeDepth", pass.treeDepth());
      r.put("gradientShards", pass.gradientShards());
      r.put("bytesToDriver", pass.bytesToDriver());
      Map<String, Object> norms = r.section("gradientNorms");
      norms.put("dW", Norms.norm(g.dw()));
      norms.put("db", Norms.norm(g.db()));
      if (spec.inputGradient()) {
        norms.put("dX", pass.dxNorm());
      }
      r.put("allFinite", allFinite(g));
    }
    r.put("conditionNumberW", finiteOrText(Lapack.conditionNumber(w)));
    putTimes(r, input, pass, written, writeSeconds);
    return r;
  }

  /** The rows, dtype, backend and cached blocks of a report. */
  private static void putBlocks(Report r, BlockedInput input, PassResult pass) {
    long n = input.numRows();
    PassSpec spec = pass.spec();
    r.put("rows", n);
    r.put("dtype", spec.dtype().label());
    r.put("backend", pass.backends().size() == 1 ? pass.backends().get(0) : pass.backends());
    r.put("partitions", input.numPartitions());
    r.put("blocks", input.numBlocks());
    r.put("blockRows", input.blockRows());
    Map<String, Object> cache = r.section("cachedBlocks");
    cache.put("payloadBytes", input.payloadBytes());
    cache.put("rawXBytes", n * input.numFeatures() * (long) spec.dtype().bytes());
    cache.put("storageLevel", input.cache().level());
    cache.put("memoryBytes", input.cache().memoryBytes());
    cache.put("diskBytes", input.cache().diskBytes());
    cache.put("cachedPartitions", input.cache().cachedPartitions());
    r.put("deterministic", input.chunkRows() > 0);
  }

  /** The timings, FLOPs and written outputs of a report. */
  private static void putTimes(Report r, BlockedInput input, PassResult pass,
      Map<String, String> written, double writeSeconds) {
    Map<String, Object> seconds = r.section("seconds");
    seconds.put("readAndBlock", input.seconds());
    seconds.put("pass", pass.seconds());
    seconds.put("kernelTaskTime", pass.computeSeconds());
    seconds.put("write", writeSeconds);
    r.put("gemmFlops", pass.flops());
    r.put("gflopsPerSecond", pass.gflopsPerSecond());
    r.put("outputs", written);
  }

  /**
   * A network's forward pass at θ over cached blocks: Y (the last layer's output, or its
   * row-wise softmax when {@code spec.softmax()}) written all or nothing to {@code output}, with
   * {@code report.json} (its allowNonFinite does not apply: nothing is reduced).
   *
   * @param spec a forward spec (no loss) that keeps Y
   */
  public static Outcome forward(SparkSession spark, BlockedInput input, Theta theta,
      PassSpec spec, JobOutput output) {
    Network network = theta.network();
    if (spec.backward() || !spec.keepOutput()) {
      throw new IllegalArgumentException("A network forward job keeps Y and has no loss, got "
          + spec.describe());
    }
    OutputDir dir = OutputDir.create(output.dir(), output.overwrite(),
        spark.sparkContext().hadoopConfiguration());
    try (dir; PassResult pass = LinearPass.run(spark, input, theta, spec)) {
      long writeStart = System.nanoTime();
      Map<String, String> written = new LinkedHashMap<>();
      written.put("Y", RowOutputs.write(spark, pass.outputBlocks("Y"), spec.dtype(), input,
          dir, "Y", network.outFeatures()));
      double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
      Report r = new Report();
      r.put("command", "forward");
      r.put("inputs", output.inputs());
      r.put("network", network.describe());
      Map<String, Object> shapes = r.section("shapes");
      shapes.put("X", Report.shape(input.numRows(), network.inFeatures()));
      for (int l = 0; l < network.numLayers(); l++) {
        shapes.put("W" + l, Report.shape(network.size(l), network.size(l + 1)));
        shapes.put("b" + l, Report.shape(network.size(l + 1)));
      }
      shapes.put("Y", Report.shape(input.numRows(), network.outFeatures()));
      r.put("softmax", spec.softmax());
      putBlocks(r, input, pass);
      putTimes(r, input, pass, written, writeSeconds);
      r.write(dir);
      dir.commit();
      return new Outcome(pass, r, dir.target());
    }
  }

  /** Fails (exit code 1) at the first NaN or ±Inf of the loss, dW or db. */
  static void requireFinite(GradientAccumulator g) {
    String where = null;
    if (!Double.isFinite(g.loss())) {
      where = "the loss is " + g.loss();
    }
    for (int i = 0; where == null && i < g.dw().length; i++) {
      if (!Double.isFinite(g.dw()[i])) {
        where = "dW[" + i / g.outFeatures() + ", " + i % g.outFeatures() + "] is " + g.dw()[i];
      }
    }
    for (int j = 0; where == null && j < g.db().length; j++) {
      if (!Double.isFinite(g.db()[j])) {
        where = "db[" + j + "] is " + g.db()[j];
      }
    }
    if (where != null) {
      throw new NonFiniteGradientException(ParamText.of("The gradients are not finite: " + where
          + " (the inputs were finite, so the pass overflowed: scale X or W down). Nothing was "
          + "written; pass ", param("allowNonFinite"), " to write them anyway"));
    }
  }

  static boolean allFinite(GradientAccumulator g) {
    for (double v : g.dw()) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    for (double v : g.db()) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return Double.isFinite(g.loss());
  }

  private static Object finiteOrText(double v) {
    return Double.isFinite(v) ? (Object) v : Double.toString(v);
  }
}
