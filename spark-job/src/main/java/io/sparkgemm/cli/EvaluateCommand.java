package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.job.NetworkEvaluation;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.train.ModelDir;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm evaluate}: a trained model's loss and accuracy on a labelled dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a trained model (the folder train writes) over a labelled dataset and "
        + "print its mean loss and, for class labels, its accuracy (the share of rows whose "
        + "largest output is their class). Writes nothing.")
final class EvaluateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  MasterMixin spark;

  @Mixin
  BackendMixin backend;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "The model folder (model.json, one .npy per W and b).")
  String model;

  @Mixin
  InputOptions input;

  @Mixin
  LabelOptions labelOptions;

  @Option(names = "--loss", paramLabel = "LOSS",
      description = "mse or softmax-ce. Default: the loss the model was trained with.")
  String loss;

  @Option(names = "--dtype", defaultValue = DType.DEFAULT_LABEL, paramLabel = "TYPE",
      description = "Block dtype: float64 or float32. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Override
  public Integer call() {
    input.validateInput();
    DType blockType = DType.parse(dtype);
    ModelDir.Model trained = ModelDir.read(model, OutputPaths.hadoopConf());
    Loss head = loss != null ? Loss.parse(loss) : trained.loss();
    if (head == null) {
      throw new IllegalArgumentException("--model " + model + " does not say which loss it was "
          + "trained with: give --loss mse or --loss softmax-ce");
    }
    if (head != Loss.MSE && head != Loss.SOFTMAX_CE) {
      throw new IllegalArgumentException("--loss " + head.label() + ": evaluate supports mse "
          + "or softmax-ce");
    }
    LabelKind kind = head == Loss.MSE ? LabelKind.TARGETS : LabelKind.CLASSES;
    if (!labelOptions.given()) {
      throw new IllegalArgumentException("evaluate needs the "
          + (kind == LabelKind.TARGETS ? "targets" : "class labels")
          + ": give --labels L.npy or --labels-col COL");
    }
    int classes = kind == LabelKind.CLASSES ? trained.network().outFeatures() : 0;
    Backends.select(backend.options());
    try (Sessions.Handle session = Sessions.open(spark.master, "spark-gemm evaluate")) {
      BlockedInput blocks = InputLoader.load(session.spark(), input.spec(kind,
          labelOptions.labelsCol, labelOptions.labels, null, null, blockType, classes));
      try {
        NetworkEvaluation.Result result = NetworkEvaluation.run(session.spark(), blocks,
            trained.theta(), head, blockType, backend.options());
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s on %s: %d rows, %s %.6g%s (%.2f s)%n",
            trained.network().describe(), input.x, result.rows(), head.label(), result.loss(),
            kind == LabelKind.CLASSES
                ? String.format(Locale.ROOT, ", accuracy %.4f (%d correct)", result.accuracy(),
                    result.correct())
                : "", result.seconds());
        out.flush();
      } finally {
        blocks.release();
      }
    }
    return SparkGemmCli.OK;
  }
}
