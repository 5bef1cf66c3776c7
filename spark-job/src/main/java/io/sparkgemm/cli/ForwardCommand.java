package io.sparkgemm.cli;

import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.train.ModelDir;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm forward}: Y = XW + b, or a trained network's output, over a dataset. */
@Command(name = "forward", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compute Y = XW + b over a dataset on Spark, or with --model a trained "
        + "network's output (its logits; --softmax: probabilities). Writes DIR/Y (Parquet with "
        + "the row id, or Y.npy when X is .npy) and DIR/report.json.")
final class ForwardCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  JobOptions job;

  @Option(names = "--model", paramLabel = "DIR", description = "A model folder written by "
      + "train (model.json and the .npy files of every W and b): run its network instead of "
      + "--w/--b.")
  String model;

  @Option(names = "--softmax", description = "Write the row-wise softmax of Y (class "
      + "probabilities) instead of Y.")
  boolean softmax;

  /** The pass the flags ask for. */
  PassSpec pass() {
    return PassSpec.forward().softmax(softmax).dtype(job.dtype()).backend(job.backend.options())
        .build();
  }

  @Override
  public Integer call() {
    PassSpec pass = pass();
    if (model == null) {
      PassCommands.run(job, job.input(LabelKind.NONE, null, null, null, null), pass,
          PassCommands.inputs(job), spec.commandLine().getOut());
      return SparkGemmCli.OK;
    }
    for (String[] flag : new String[][] {{"--w", job.w}, {"--b", job.b}, {"--init", job.init},
        {"--outputs", job.outputs == null ? null : String.valueOf(job.outputs)}}) {
      if (flag[1] != null) {
        throw new IllegalArgumentException("--model gives the network and its W and b; drop "
            + flag[0]);
      }
    }
    job.validate(true);
    // read and checked before Spark starts: a bad folder fails at once (exit 2)
    ModelDir.Model trained = ModelDir.read(model, OutputPaths.hadoopConf());
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("x", job.x);
    inputs.put("model", model);
    PassCommands.runModel(job, job.input(LabelKind.NONE, null, null, null, null), pass, model,
        trained, inputs, spec.commandLine().getOut());
    return SparkGemmCli.OK;
  }
}
