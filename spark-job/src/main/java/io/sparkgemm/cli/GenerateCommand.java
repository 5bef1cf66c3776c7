package io.sparkgemm.cli;

import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.data.Generator;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.output.Report;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm generate}: a seeded synthetic dataset. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a seeded synthetic dataset into a folder: X ~ N(0,1), a true W and b, "
        + "and regression targets T = XW + b + noise or class labels argmax(XW + b).",
        "parquet: X.parquet (id, features, targets|label); csv: X.csv (f0.., label), "
            + "targets.npy; npy: X.npy, targets.npy|labels.npy. Always W_true.npy, b_true.npy, "
            + "report.json.",
        "--teacher-hidden H: the truth is a relu network instead (W0_true .. b1_true.npy)."})
final class GenerateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--rows", descriptionKey = "numRows",
      required = true, paramLabel = "N", description = "Rows n.")
  long rows;

  @Option(names = "--features", descriptionKey = "numFeatures",
      required = true, paramLabel = "D", description = "Features d.")
  int features;

  @Option(names = "--outputs", descriptionKey = "numOutputs", required = true, paramLabel = "K",
      description = "Outputs k (targets per row, or classes).")
  int outputs;

  @Option(names = "--task", defaultValue = GenerateSpec.TASK, paramLabel = "TASK",
      description = "regression or classification. Default: ${DEFAULT-VALUE}.")
  String task;

  @Option(names = "--format", defaultValue = GenerateSpec.FORMAT, paramLabel = "FORMAT",
      description = "parquet, csv or npy. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--seed", defaultValue = GenerateSpec.SEED, paramLabel = "S",
      description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--noise", descriptionKey = "noiseStd",
      defaultValue = GenerateSpec.NOISE, paramLabel = "SIGMA",
      description = "Standard deviation of the regression noise. Default: ${DEFAULT-VALUE}.")
  double noise;

  @Option(names = "--teacher-hidden", defaultValue = GenerateSpec.TEACHER_HIDDEN, paramLabel = "H",
      description = "Make the truth a network with H relu hidden units, F = relu(X W0) W1 + b1, "
          + "which a linear model cannot fit (0: the linear truth XW + b). Default: "
          + "${DEFAULT-VALUE}.")
  int teacherHidden;

  @Option(names = "--holdout", defaultValue = GenerateSpec.HOLDOUT_ROWS, paramLabel = "M",
      description = "Also write M held-out rows of the same truth (X_test, labels_test or "
          + "targets_test) for evaluate. Default: ${DEFAULT-VALUE}.")
  long holdout;

  @Option(names = "--partitions", descriptionKey = "partitions",
      defaultValue = GenerateSpec.PARTITIONS, paramLabel = "N",
      description = "Partitions to generate with; 0 chooses. Default: ${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--out", descriptionKey = "outputDir",
      required = true, paramLabel = "DIR", description = "Output folder.")
  String out;

  @Option(names = "--overwrite", descriptionKey = "overwrite",
      description = "Replace an existing output folder.")
  boolean overwrite;

  @Mixin
  MasterMixin spark;

  /** The dataset the flags ask for. */
  GenerateSpec spec() {
    return GenerateSpec.builder(rows, features, outputs).task(task).format(format).seed(seed)
        .noise(noise).out(out).overwrite(overwrite).partitions(partitions)
        .teacherHidden(teacherHidden).holdoutRows(holdout).build();
  }

  @Override
  public Integer call() {
    GenerateSpec generate = spec();
    OutputPaths.check(out, overwrite, Map.of(), null, OutputPaths.hadoopConf());
    try (Sessions.Handle session = Sessions.open(spark.master, "spark-gemm generate")) {
      Report report = Generator.generate(session.spark(), generate);
      PrintWriter printer = spec.commandLine().getOut();
      @SuppressWarnings("unchecked")
      Map<String, Object> files = (Map<String, Object>) report.fields().get("files");
      printer.printf("generated %d x %d -> %d (%s, seed %d) in %s: %s%n", rows, features, outputs,
          task, seed, out, String.join(", ", files.values().stream().map(Object::toString)
              .toList()));
      printer.flush();
    }
    return SparkGemmCli.OK;
  }
}
