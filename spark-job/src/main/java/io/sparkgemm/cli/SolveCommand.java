package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.train.SolveJob;
import io.sparkgemm.spark.train.TrainSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm solve}: closed-form ridge least squares, the minimiser of train's mse. */
@Command(name = "solve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Closed-form ridge least squares for multi-output targets T (n x k): one pass "
        + "forms [X 1]ᵀ[X 1] (dsyrk) and [X 1]ᵀT (dgemm), tree-reduced in float64; the driver "
        + "solves by Cholesky (eigen fallback with a warning), never an inverse. Minimises "
        + "||XW + b − T||²/n + (reg/2)·||W||², the objective of train --loss mse --reg. Writes "
        + "DIR/W.npy, DIR/b.npy, DIR/report.json.")
final class SolveCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  MasterMixin spark;

  @Mixin
  BackendMixin backend;

  @Mixin
  InputOptions input;

  @Mixin
  LabelOptions labelOptions;

  @Option(names = "--reg", descriptionKey = "regParam", defaultValue = TrainSpec.REG_PARAM,
      paramLabel = "LAMBDA",
      description = "L2 strength, as in train: (reg/2)·||W||². Default: ${DEFAULT-VALUE}.")
  double reg;

  @Option(names = "--tree-depth", descriptionKey = "treeDepth",
      defaultValue = PassSpec.TREE_DEPTH, paramLabel = "N",
      description = "Depth of the tree reduction; 0 chooses. Default: ${DEFAULT-VALUE}.")
  int treeDepth;

  @Option(names = "--out", descriptionKey = "outputDir", required = true, paramLabel = "DIR",
      description = "Output folder (written all or nothing).")
  String out;

  @Option(names = "--overwrite", descriptionKey = "overwrite",
      description = "Replace an existing output folder.")
  boolean overwrite;

  @Override
  public Integer call() {
    input.validateInput();
    if (!labelOptions.given()) {
      throw new IllegalArgumentException("solve needs the targets: give --labels T.npy or "
          + "--labels-col COL");
    }
    if (!(reg >= 0) || Double.isInfinite(reg)) {
      throw new IllegalArgumentException("--reg must be >= 0, got " + reg);
    }
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("--x", input.x);
    paths.put("--labels", labelOptions.labels);
    OutputPaths.check(out, overwrite, paths, null, OutputPaths.hadoopConf());
    DType dtype = DType.FLOAT64;
    InputSpec inputSpec = input.spec(LabelKind.TARGETS, labelOptions.labelsCol, labelOptions.labels,
        null, null, dtype, 0);
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("x", input.x);
    inputs.put("labels", labelOptions.describe());
    Backends.select(backend.options());
    try (Sessions.Handle session = Sessions.open(spark.master, "spark-gemm solve")) {
      BlockedInput blocks = InputLoader.load(session.spark(), inputSpec);
      try {
        SolveJob.run(session.spark(), blocks, reg, dtype, backend.options(), treeDepth, out,
            overwrite, inputs, spec.commandLine().getOut());
      } finally {
        blocks.release();
      }
    }
    return SparkGemmCli.OK;
  }
}
