package io.sparkgemm.cli;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.train.Checkpoints;
import io.sparkgemm.spark.train.ClassCount;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainJob;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm train}: full-batch training of one linear layer. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Full-batch training of Y = XW + b: minimises loss + (reg/2)·||W||² (loss "
        + "averaged over rows, b not penalised) with gradient descent (momentum, Nesterov) or "
        + "L-BFGS, one fused pass per evaluation over X cached once. Prints a line per "
        + "iteration; writes DIR/W.npy, DIR/b.npy, DIR/loss.png and DIR/report.json.")
final class TrainCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

  @Spec
  CommandSpec spec;

  @Mixin
  JobOptions job;

  @Option(names = "--loss", required = true, paramLabel = "LOSS",
      converter = Choices.TrainLoss.class, completionCandidates = Choices.TrainLoss.class,
      description = "mse (targets: least squares) or softmax-ce (class labels: multinomial "
          + "logistic regression).")
  Loss loss;

  @Mixin
  LabelOptions labelOptions;

  @Option(names = "--optimizer", defaultValue = "lbfgs", paramLabel = "NAME",
      converter = Choices.Optimizers.class, completionCandidates = Choices.Optimizers.class,
      description = "gd or lbfgs (Breeze's, as MLlib uses). Default: ${DEFAULT-VALUE}.")
  Optimizer optimizer;

  @Option(names = "--lr", defaultValue = "0.1", paramLabel = "RATE",
      description = "gd: learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--momentum", defaultValue = "0", paramLabel = "MU",
      description = "gd: momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
  double momentum;

  @Option(names = "--nesterov", description = "gd: Nesterov momentum.")
  boolean nesterov;

  @Option(names = "--reg", defaultValue = "0", paramLabel = "LAMBDA",
      description = "L2 strength: adds (reg/2)·||W||² to the objective. Default: "
          + "${DEFAULT-VALUE}.")
  double reg;

  @Option(names = "--max-iter", defaultValue = "100", paramLabel = "N",
      description = "Iterations. Default: ${DEFAULT-VALUE}.")
  int maxIter;

  @Option(names = "--tol", defaultValue = "1e-6", paramLabel = "TOL",
      description = "Convergence tolerance (gd: ||grad|| or the relative change of the "
          + "objective; lbfgs: Breeze's). Default: ${DEFAULT-VALUE}.")
  double tol;

  @Option(names = "--lbfgs-memory", defaultValue = "10", paramLabel = "M",
      description = "lbfgs: correction pairs kept. Default: ${DEFAULT-VALUE}.")
  int memory;

  @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
      description = "Write W, b and the history every N iterations (0: never). Default: "
          + "${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "Where checkpoints go (a folder on the driver). Default: OUT.checkpoints "
          + "next to --out.")
  String checkpointDir;

  @Option(names = "--resume", paramLabel = "DIR",
      description = "Continue from the newest checkpoint in DIR (instead of --w / --init).")
  String resume;

  @Option(names = "--tree-depth", defaultValue = "0", paramLabel = "N",
      description = "Depth of the gradient tree reduction; 0 chooses. Default: 0.")
  int treeDepth;

  @Override
  public Integer call() {
    Checkpoints.Checkpoint checkpoint = null;
    if (resume != null) {
      if (job.w != null || job.init != null || job.b != null) {
        throw new IllegalArgumentException("--resume takes W and b from the checkpoint: give it "
            + "without --w, --b or --init");
      }
      checkpoint = Checkpoints.latest(Path.of(resume));
      job.w = checkpoint.dir().resolve("W.npy").toString();
      job.b = checkpoint.dir().resolve("b.npy").toString();
    }
    TrainSpec train = TrainSpec.builder(loss).optimizer(optimizer).learningRate(lr)
        .momentum(momentum).nesterov(nesterov).regParam(reg).maxIter(maxIter).tol(tol)
        .lbfgsMemory(memory).dtype(job.dtype()).backend(job.backend.options())
        .treeDepth(treeDepth).build();
    if (checkpointEvery < 0) {
      throw new IllegalArgumentException("--checkpoint-every must be >= 0, got "
          + checkpointEvery);
    }
    job.validate(true);
    if (checkpoint != null && checkpoint.optimizer() != optimizer) {
      throw new IllegalArgumentException("--resume " + resume + ": the checkpoint was written by "
          + "--optimizer " + checkpoint.optimizer().label() + ", not " + optimizer.label());
    }
    LabelKind kind = loss == Loss.MSE ? LabelKind.TARGETS : LabelKind.CLASSES;
    if (!labelOptions.given()) {
      throw new IllegalArgumentException("--loss " + loss.label() + " needs "
          + (kind == LabelKind.TARGETS ? "targets" : "class labels")
          + ": give --labels L.npy or --labels-col COL");
    }
    Path checkpoints = checkpointEvery == 0 ? null
        : Path.of(checkpointDir != null ? checkpointDir : job.out + ".checkpoints");
    Map<String, String> more = new LinkedHashMap<>();
    more.put("--labels", labelOptions.labels);
    more.put("--resume", resume);
    job.checkPaths(more, checkpoints == null ? null : checkpoints.toString());
    Map<String, Object> inputs = PassCommands.inputs(job);
    inputs.put("labels", labelOptions.describe());
    if (resume != null) {
      inputs.put("resume", checkpoint.dir().toString());
    }
    Backends.select(job.backend.options());
    // Without W (or --outputs), W = 0 and k is counted as MLlib does, before X is read where
    // the labels or their metadata allow it, else from the cached blocks' labels.
    boolean countOutputs = job.w == null && job.outputs == null;
    try (Sessions.Handle session = Sessions.open(job.spark.master, "spark-gemm train")) {
      ClassCount.Count count = null;
      if (countOutputs && kind == LabelKind.CLASSES) {
        count = ClassCount.beforeLoading(session.spark(),
            job.input(kind, labelOptions.labelsCol, labelOptions.labels, null, null));
        job.outputs = count == null ? null : count.numClasses();
      }
      BlockedInput input = InputLoader.load(session.spark(),
          job.input(kind, labelOptions.labelsCol, labelOptions.labels, null, null));
      try {
        if (countOutputs) {
          if (count == null) {
            count = kind == LabelKind.TARGETS
                ? new ClassCount.Count(input.labelWidth(), "the targets' width")
                : ClassCount.fromBlocks(input, labelOptions.labels != null
                    ? labelOptions.labels : job.x + ", column '" + labelOptions.labelsCol + "'");
            job.outputs = count.numClasses();
          }
          LOG.info(count.describe());
          spec.commandLine().getOut().println(count.describe());
        }
        DenseBlock w = job.weights(input.numFeatures());
        double[] b = job.bias(w.numCols());
        if (w.numRows() != input.numFeatures()) {
          throw new IllegalArgumentException("W is " + w.shape() + " but X has "
              + input.numFeatures() + " features (W must be d x k with d = "
              + input.numFeatures() + ")");
        }
        double[] theta = Objective.pack(w, b);
        Trainer.Start start = checkpoint == null ? Trainer.Start.fresh(theta)
            : new Trainer.Start(theta, checkpoint.iteration(), checkpoint.velocity(),
                checkpoint.history());
        TrainJob.run(session.spark(), input, train, start, w.numCols(),
            new TrainJob.Settings(job.out, job.overwrite, checkpoints, checkpointEvery, inputs),
            spec.commandLine().getOut());
      } finally {
        input.release();
      }
    }
    return SparkGemmCli.OK;
  }
}
