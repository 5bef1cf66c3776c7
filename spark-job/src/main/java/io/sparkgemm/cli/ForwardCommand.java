package io.sparkgemm.cli;

import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spark-gemm forward}: Y = XW + b over a dataset. */
@Command(name = "forward", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compute Y = XW + b over a dataset on Spark. Writes DIR/Y (Parquet with the "
        + "row id, or Y.npy when X is .npy) and DIR/report.json.")
final class ForwardCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  JobOptions job;

  @Override
  public Integer call() {
    PassSpec pass = new PassSpec(null, false, true, job.dtype(), job.backend.options(), 0);
    PassCommands.run(job, job.input(LabelKind.NONE, null, null, null, null), pass,
        PassCommands.inputs(job), spec.commandLine().getOut());
    return SparkGemmCli.OK;
  }
}
