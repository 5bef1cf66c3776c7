package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.data.GenerateSpec;
import io.sparkgemm.spark.data.Generator;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.job.JobOutput;
import io.sparkgemm.spark.job.LayerJob;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spark-gemm demo}: generate a regression dataset, run a forward and a backward pass on
 * Spark, and check the distributed gradients against a single-process computation.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Generate a seeded dataset (default 200000 x 256 -> 64) in a temporary folder, "
        + "run a forward and a backward (mse, with dX) pass in Spark local mode, check dW, db "
        + "and the loss against a single-process computation on the pure-Java backend, and "
        + "print a summary. Exit 1 if the check fails.")
final class DemoCommand implements Callable<Integer> {
  static final double TOLERANCE = 1e-9;

  @Spec
  CommandSpec spec;

  @Option(names = "--rows", descriptionKey = "numRows", defaultValue = "200000", paramLabel = "N",
      description = "Rows. Default: ${DEFAULT-VALUE}.")
  long rows;

  @Option(names = "--features", descriptionKey = "numFeatures",
      defaultValue = "256", paramLabel = "D",
      description = "Features. Default: ${DEFAULT-VALUE}.")
  int features;

  @Option(names = "--outputs", descriptionKey = "numOutputs", defaultValue = "64", paramLabel = "K",
      description = "Outputs. Default: ${DEFAULT-VALUE}.")
  int outputs;

  @Option(names = "--dtype", defaultValue = DType.DEFAULT_LABEL, paramLabel = "TYPE",
      description = "float64 or float32. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Mixin
  MasterMixin spark;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where to write data and outputs. Default: a new temporary folder.")
  Path workDir;

  @Mixin
  BackendMixin backend;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    BackendOptions options = backend.options();
    DType type = DType.parse(dtype);
    Backends.select(options);
    Path work = workDir != null ? workDir : temporaryFolder();
    long start = System.nanoTime();
    try (Sessions.Handle session = Sessions.open(spark.master, "spark-gemm demo")) {
      String data = work.resolve("data").toString();
      out.printf("generating %d x %d -> %d regression data in %s ...%n", rows, features, outputs,
          data);
      out.flush();
      Generator.generate(session.spark(), GenerateSpec.builder(rows, features,
          outputs).seed(7).out(data).overwrite(true).build());
      InputSpec inputSpec = InputSpec.builder(data + "/X.parquet").format("parquet")
          .idCol("id").labels(LabelKind.TARGETS, "targets", null).dtype(type).build();
      BlockedInput input = InputLoader.load(session.spark(), inputSpec);
      try {
        DenseBlock w = WeightInit.create("xavier", features, outputs, 1);
        double[] b = new double[outputs];
        Theta theta = Theta.linear(w, b);
        LayerJob.Outcome forward = LayerJob.run(session.spark(), input, theta,
            PassSpec.forward().dtype(type).backend(options).build(),
            JobOutput.to(work.resolve("forward").toString()).overwrite(true)
                .inputs(Map.of("x", inputSpec.x(), "w", "xavier seed 1", "b", "zeros")));
        LayerJob.Outcome backward = LayerJob.run(session.spark(), input, theta,
            PassSpec.backward(Loss.MSE).inputGradient(true).dtype(type).backend(options).build(),
            JobOutput.to(work.resolve("backward").toString()).overwrite(true)
                .inputs(Map.of("x", inputSpec.x(), "labels", "column targets",
                    "w", "xavier seed 1", "b", "zeros")));
        double error = checkAgainstSingleProcess(input, w, b, type, backward.pass());
        PassCommands.print(out, input, backward);
        out.printf(Locale.ROOT, "forward pass %.2f s (%.1f GFLOP/s), Y in %s%n",
            forward.pass().seconds(), forward.pass().gflopsPerSecond(), forward.outDir());
        boolean ok = error <= TOLERANCE;
        out.printf(Locale.ROOT, "%s  distributed dW, db and loss equal a single-process "
            + "computation (java backend, one accumulator): max rel. difference %.1e (limit "
            + "%.0e)%n", ok ? "PASS" : "FAIL", error, TOLERANCE);
        out.printf(Locale.ROOT, "demo done in %.1f s; outputs under %s%n",
            (System.nanoTime() - start) / 1e9, work);
        out.flush();
        return ok ? SparkGemmCli.OK : SparkGemmCli.FAILURE;
      } finally {
        input.release();
      }
    }
  }

  /** The same gradients computed block by block on the driver, with the java backend. */
  private static double checkAgainstSingleProcess(BlockedInput input, DenseBlock w, double[] b,
      DType type, PassResult pass) {
    LinearKernels kernels = new LinearKernels(Backends.javaBackend());
    LossHead head = LossHeads.of(Loss.MSE, input.numRows());
    DenseBlock wTyped = w.toDType(type);
    GradientAccumulator acc = new GradientAccumulator(w.numRows(), w.numCols());
    Iterator<LabeledBlock> blocks = input.blocks().toLocalIterator();
    while (blocks.hasNext()) {
      LabeledBlock block = blocks.next();
      DenseBlock y = kernels.forward(block.x(), wTyped, b);
      DenseBlock g = DenseBlock.zeros(type, y.numRows(), y.numCols());
      acc.addLoss(head.lossAndGradient(y, block.labels(), g), y.numRows());
      kernels.accumulateGradients(block.x(), g, acc);
    }
    GradientAccumulator dist = pass.gradient().layer(0);
    double error = Norms.maxRelativeError(dist.dw(), acc.dw());
    error = Math.max(error, Norms.maxRelativeError(dist.db(), acc.db()));
    error = Math.max(error, Norms.relativeError(dist.loss(), acc.loss()));
    return error;
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("spark-gemm-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
