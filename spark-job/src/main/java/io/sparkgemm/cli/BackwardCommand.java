package io.sparkgemm.cli;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.pass.PassSpec;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm backward}: dW, db (and dX) over a dataset, in one fused pass. */
@Command(name = "backward", mixinStandardHelpOptions = true, sortOptions = false,
    description = "One fused pass: Y = XW + b, G from the loss (or the supplied G), "
        + "dW = XᵀG and db = 1ᵀG tree-reduced in float64, dX = GWᵀ with --input-grad. Writes "
        + "DIR/dW.npy, DIR/db.npy, DIR/dX (--input-grad), DIR/Y (--save-output), "
        + "DIR/report.json.")
final class BackwardCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  JobOptions job;

  @Option(names = "--loss", paramLabel = "LOSS",
      converter = Choices.PassLoss.class, completionCandidates = Choices.PassLoss.class,
      description = "sum, mean, mse (needs targets) or softmax-ce (needs class labels).")
  Loss loss;

  @Option(names = "--upstream", descriptionKey = "upstreamPath", paramLabel = "G",
      description = "A supplied upstream gradient G = dL/dY (n x k), same formats as --x, "
          + "aligned with X by row id (--id-col) or row index.")
  String upstream;

  @Option(names = "--upstream-col", descriptionKey = "upstreamCol", paramLabel = "COL",
      description = "G's array or vector column (default: its only one).")
  String upstreamCol;

  @Mixin
  LabelOptions labelOptions;

  @Option(names = "--input-grad", description = "Also compute and write dX = G Wᵀ.")
  boolean inputGrad;

  @Option(names = "--save-output", description = "Also write Y.")
  boolean saveOutput;

  @Option(names = "--tree-depth", descriptionKey = "treeDepth",
      defaultValue = PassSpec.TREE_DEPTH, paramLabel = "N",
      description = "Depth of the gradient tree reduction; 0 chooses from the partition count "
          + "and the gradient size. Default: ${DEFAULT-VALUE}.")
  int treeDepth;

  @Option(names = "--shard-threshold", descriptionKey = "shardThreshold",
      defaultValue = PassSpec.SHARD_THRESHOLD, paramLabel = "SIZE",
      description = "Reduce dW in column shards on the executors when d·k·8 bytes exceed this "
          + "(e.g. 64m, 1g); the driver then receives each shard once. Default: "
          + "${DEFAULT-VALUE}.")
  String shardThreshold;

  /** The pass the flags ask for, through {@code head}. */
  PassSpec pass(Loss head) {
    return PassSpec.backward(head).inputGradient(inputGrad).keepOutput(saveOutput)
        .dtype(job.dtype()).backend(job.backend.options()).treeDepth(treeDepth)
        .shardThreshold(Sizes.bytes("--shard-threshold", shardThreshold)).build();
  }

  @Override
  public Integer call() {
    if ((loss == null) == (upstream == null)) {
      throw new IllegalArgumentException("Give exactly one of --loss "
          + "sum|mean|mse|softmax-ce and --upstream G");
    }
    Loss head = upstream != null ? Loss.SUPPLIED : loss;
    LabelKind kind = switch (head) {
      case MSE -> LabelKind.TARGETS;
      case SOFTMAX_CE -> LabelKind.CLASSES;
      case SUPPLIED -> LabelKind.UPSTREAM;
      case SUM, MEAN -> LabelKind.NONE;
    };
    if (kind == LabelKind.NONE && labelOptions.given()) {
      throw new IllegalArgumentException("--loss " + loss.label() + " takes no labels");
    }
    PassSpec pass = pass(head);
    Map<String, Object> inputs = PassCommands.inputs(job);
    if (upstream != null) {
      inputs.put("upstream", upstream);
    }
    if (labelOptions.given()) {
      inputs.put("labels", labelOptions.describe());
    }
    PassCommands.run(job, job.input(kind, labelOptions.labelsCol, labelOptions.labels, upstream,
        upstreamCol), pass, inputs, spec.commandLine().getOut());
    return SparkGemmCli.OK;
  }
}
