package io.sparkgemm.cli;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.job.JobOutput;
import io.sparkgemm.spark.job.LayerJob;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.train.ModelDir;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** What the forward and backward commands share: run one pass and print a summary. */
final class PassCommands {
  private PassCommands() {
  }

  static LayerJob.Outcome run(JobOptions job, InputSpec inputSpec, PassSpec passSpec,
      Map<String, Object> inputs, PrintWriter out) {
    job.validate();
    return run(job, inputSpec, passSpec, Map.of(), out, (spark, input) -> {
      DenseBlock w = job.weights(input.numFeatures());
      double[] b = job.bias(w.numCols());
      return LayerJob.run(spark, input, Theta.linear(w, b), passSpec, JobOutput.to(job.out)
          .overwrite(job.overwrite).allowNonFinite(job.allowNonFinite).inputs(inputs));
    });
  }

  /**
   * A trained model's network forward over the input (forward --model).
   *
   * @param modelPath the model folder, which --out must stay out of
   */
  static LayerJob.Outcome runModel(JobOptions job, InputSpec inputSpec, PassSpec passSpec,
      String modelPath, ModelDir.Model model, Map<String, Object> inputs, PrintWriter out) {
    return run(job, inputSpec, passSpec, Map.of("--model", modelPath), out,
        (spark, input) -> LayerJob.forward(spark, input, model.theta(), passSpec,
            JobOutput.to(job.out).overwrite(job.overwrite).inputs(inputs)));
  }

  /** The job on the blocked input, inside a session. */
  private interface Job {
    LayerJob.Outcome run(SparkSession spark, BlockedInput input);
  }

  private static LayerJob.Outcome run(JobOptions job, InputSpec inputSpec, PassSpec passSpec,
      Map<String, String> paths, PrintWriter out, Job body) {
    Map<String, String> more = new LinkedHashMap<>();
    more.put("--labels", inputSpec.labelsPath());
    more.put("--upstream", inputSpec.upstreamPath());
    more.putAll(paths);
    job.checkPaths(more, null);
    // The driver's backend is chosen (and logged) before Spark starts, so a named backend that
    // cannot load fails at once.
    Backends.select(job.backend.options());
    try (Sessions.Handle session = Sessions.open(job.spark.master,
        "spark-gemm " + passSpec.describe())) {
      BlockedInput input = InputLoader.load(session.spark(), inputSpec);
      try {
        LayerJob.Outcome outcome = body.run(session.spark(), input);
        print(out, input, outcome);
        return outcome;
      } finally {
        input.release();
      }
    }
  }

  static Map<String, Object> inputs(JobOptions job) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("x", job.x);
    inputs.put("w", job.w != null ? job.w
        : job.init != null ? "init " + job.init + " seed " + job.seed : "zeros");
    inputs.put("b", job.b != null ? job.b : "zeros");
    return inputs;
  }

  static void print(PrintWriter out, BlockedInput input, LayerJob.Outcome outcome) {
    PassResult pass = outcome.pass();
    out.println("backend: " + String.join("; ", pass.backends()));
    out.printf(Locale.ROOT, "X %d x %d (%s, %d partitions, %d blocks of <= %d rows), %s%n",
        pass.numRows(), pass.inFeatures(), pass.spec().dtype().label(), input.numPartitions(),
        input.numBlocks(), input.blockRows(), pass.network().numLayers() == 1
            ? "W " + pass.inFeatures() + " x " + pass.outFeatures()
            : "network " + pass.network().describe());
    if (pass.spec().backward()) {
      Map<String, Object> norms = outcome.report().section("gradientNorms");
      out.printf(Locale.ROOT, "loss (%s) = %.10g   ||dW|| = %.6g   ||db|| = %.6g%n",
          pass.spec().loss().label(), pass.gradient().loss(), (Double) norms.get("dW"),
          (Double) norms.get("db"));
      out.printf(Locale.ROOT, "reduction: tree depth %d, %d column shard%s, %.1f MB to the "
          + "driver%n", pass.treeDepth(), pass.gradientShards(),
          pass.gradientShards() == 1 ? "" : "s", pass.bytesToDriver() / 1e6);
    }
    out.printf(Locale.ROOT, "read+block %.2f s, pass %.2f s (%.1f GFLOP/s)%n", input.seconds(),
        pass.seconds(), pass.gflopsPerSecond());
    out.println("output: " + outcome.outDir());
    out.flush();
  }
}
