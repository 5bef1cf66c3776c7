package io.sparkgemm.cli;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkInit;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.Interrupts;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.InputLoader;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.train.CheckpointFolder;
import io.sparkgemm.spark.train.Checkpoints;
import io.sparkgemm.spark.train.ClassCount;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.RunIdentity;
import io.sparkgemm.spark.train.TrainJob;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm train}: training of the linear layer or a network of layers. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Trains Y = XW + b, or with --hidden a network of layers, minimising loss + "
        + "(reg/2)·Σ||W_l||² (loss averaged over rows, biases not penalised): full-batch with "
        + "gradient descent (momentum, Nesterov) or L-BFGS, one fused pass per evaluation; or "
        + "in minibatches with sgd or adam, one pass over a step's rows per step. X is cached "
        + "once. Prints a line per iteration (per epoch for sgd and adam); writes the model "
        + "(DIR/W.npy and DIR/b.npy, or DIR/W0.npy, DIR/b0.npy, ... for a network, and "
        + "DIR/model.json), DIR/loss.png and DIR/report.json.")
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

  // One string, split here: picocli's split would drop a trailing empty width ("8,")
  @Option(names = "--hidden", descriptionKey = "hiddenSizes", paramLabel = "H1,H2,...",
      description = "Hidden layer widths, input side first (e.g. 256,128): trains a network "
          + "d -> H1 -> ... -> k. Without it: the linear model.")
  String hidden;

  @Option(names = "--activation", paramLabel = "NAME",
      converter = Choices.Activations.class, completionCandidates = Choices.Activations.class,
      description = "After every hidden layer: relu, tanh, sigmoid, identity, leaky-relu or "
          + "gelu. Default: " + TrainSpec.ACTIVATION + ".")
  Activation activation;

  @Option(names = "--optimizer", defaultValue = TrainSpec.OPTIMIZER, paramLabel = "NAME",
      converter = Choices.Optimizers.class, completionCandidates = Choices.Optimizers.class,
      description = "Full-batch gd or lbfgs (Breeze's, as MLlib uses); minibatch sgd or adam. "
          + "Default: ${DEFAULT-VALUE}.")
  Optimizer optimizer;

  @Option(names = "--lr", descriptionKey = "learningRate", paramLabel = "RATE",
      description = "gd, sgd, adam: learning rate (sgd, adam: the schedule's base). Default: "
          + TrainSpec.ADAM_LEARNING_RATE + " for adam, else " + TrainSpec.LEARNING_RATE + ".")
  Double lr;

  @Option(names = "--momentum", descriptionKey = "momentum", defaultValue = TrainSpec.MOMENTUM,
      paramLabel = "MU",
      description = "gd, sgd: momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
  double momentum;

  @Option(names = "--nesterov", descriptionKey = "nesterov",
      description = "gd, sgd: Nesterov momentum.")
  boolean nesterov;

  @Mixin
  MinibatchOptions minibatch;

  @Option(names = "--standardize",
      description = "Train on standardised features, (x − mean) / std per column (one more "
          + "pass for the means and deviations; constant columns are only centred), folded "
          + "into the first layer: the model written runs on raw rows. Recommended for "
          + "networks on unscaled features such as 0–255 pixels.")
  boolean standardize;

  @Option(names = "--reg", descriptionKey = "regParam", defaultValue = TrainSpec.REG_PARAM,
      paramLabel = "LAMBDA",
      description = "L2 strength: adds (reg/2)·||W||² to the objective. Default: "
          + "${DEFAULT-VALUE}.")
  double reg;

  @Option(names = "--max-iter", descriptionKey = "maxIter", paramLabel = "N",
      description = "gd, lbfgs: iterations. Default: " + TrainSpec.MAX_ITER + ".")
  Integer maxIter;

  @Option(names = "--tol", descriptionKey = "tol", paramLabel = "TOL",
      description = "gd, lbfgs: convergence tolerance (gd: ||grad|| or the relative change of "
          + "the objective; lbfgs: Breeze's). Default: " + TrainSpec.TOL + ".")
  Double tol;

  @Option(names = "--lbfgs-memory", descriptionKey = "lbfgsMemory",
      defaultValue = TrainSpec.LBFGS_MEMORY, paramLabel = "M",
      description = "lbfgs: correction pairs kept. Default: ${DEFAULT-VALUE}.")
  int memory;

  @Option(names = "--checkpoint-every", descriptionKey = "checkpointEvery",
      defaultValue = "0", paramLabel = "N",
      description = "Write the model, the optimizer's state and the history every N "
          + "iterations (sgd, adam: steps; 0: never). Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(names = "--checkpoint-dir", descriptionKey = "checkpointDir", paramLabel = "DIR",
      description = "Where checkpoints go (written by the driver; a local path, file://, "
          + "hdfs:// or an object store). Default: OUT.checkpoints next to --out.")
  String checkpointDir;

  @Option(names = "--resume", descriptionKey = "resumeDir", paramLabel = "DIR",
      description = "Continue from the newest checkpoint in DIR (instead of --w / --init), "
          + "with the flags of the run that wrote it: sgd and adam resume bit for bit.")
  String resume;

  @Option(names = "--tree-depth", descriptionKey = "treeDepth",
      defaultValue = PassSpec.TREE_DEPTH, paramLabel = "N",
      description = "Depth of the gradient tree reduction; 0 chooses. Default: ${DEFAULT-VALUE}.")
  int treeDepth;

  @Override
  public Integer call() {
    Checkpoints.Checkpoint checkpoint = null;
    if (standardize && (resume != null || job.w != null || job.b != null)) {
      throw new IllegalArgumentException("--standardize starts from --init (a start in the "
          + "standardised coordinates); it cannot be combined with "
          + (resume != null ? "--resume" : "--w or --b"));
    }
    if (resume != null) {
      if (job.w != null || job.init != null || job.b != null) {
        throw new IllegalArgumentException("--resume takes W and b from the checkpoint: give it "
            + "without --w, --b or --init");
      }
      checkpoint = Checkpoints.latest(CheckpointFolder.of(resume, OutputPaths.hadoopConf()));
      job.outputs = CheckpointChecks.outputs(checkpoint, job.outputs, resume);
    }
    TrainSpec train = spec();
    if (checkpointEvery < 0) {
      throw new IllegalArgumentException("--checkpoint-every must be >= 0, got "
          + checkpointEvery);
    }
    job.validate(true);
    if (checkpoint != null) {
      checkResume(checkpoint, train);
    }
    LabelKind kind = loss == Loss.MSE ? LabelKind.TARGETS : LabelKind.CLASSES;
    if (!labelOptions.given()) {
      throw new IllegalArgumentException("--loss " + loss.label() + " needs "
          + (kind == LabelKind.TARGETS ? "targets" : "class labels")
          + ": give --labels L.npy or --labels-col COL");
    }
    String checkpoints = checkpointEvery == 0 ? null : checkpointDir != null ? checkpointDir
        : new Path(job.out) + ".checkpoints";
    Map<String, String> more = new LinkedHashMap<>();
    more.put("--labels", labelOptions.labels);
    more.put("--resume", resume);
    job.checkPaths(more, checkpoints);
    RunIdentity.Source source = CheckpointChecks.source(job, labelOptions);
    if (checkpoint != null) {
      Network saved = checkpoint.model().network();
      CheckpointChecks.compare(checkpoint, RunIdentity.of(source, RunIdentity.ROWS_UNKNOWN,
          train.network(saved.inFeatures(), saved.outFeatures()), train, standardize), resume,
          spec, true);
    }
    Map<String, Object> inputs = PassCommands.inputs(job);
    inputs.put("labels", labelOptions.describe());
    if (resume != null) {
      inputs.put("resume", checkpoint.dir());
      inputs.put("w", checkpoint.dir());
      inputs.remove("b");
    }
    // Without W (or --outputs), W = 0 and k is counted as MLlib does, before X is read where
    // the labels or their metadata allow it, else from the cached blocks' labels.
    boolean countOutputs = job.w == null && job.outputs == null;
    ClassCount.Count count = null;
    Integer wOutputs = job.w != null ? job.weights(-1).numCols() : null;
    TrainMemory.beforeSpark(job, job.input(kind, labelOptions.labelsCol, labelOptions.labels,
        null, null), train, wOutputs != null ? wOutputs : job.outputs,
        countOutputs && kind == LabelKind.TARGETS ? labelOptions.labels : null);
    CheckpointChecks.prepare(checkpoints, checkpoint, job.overwrite,
        spec.commandLine().getOut(), false);
    Backends.select(job.backend.options());
    try (Sessions.Handle session = Sessions.open(job.spark.master, "spark-gemm train")) {
      if (countOutputs && kind == LabelKind.CLASSES) {
        // a Spark job over the labels alone; then the memory check, before X is read
        count = ClassCount.beforeLoading(session.spark(),
            job.input(kind, labelOptions.labelsCol, labelOptions.labels, null, null));
        job.outputs = count == null ? null : count.numClasses();
        TrainMemory.beforeSpark(job, job.input(kind, labelOptions.labelsCol,
            labelOptions.labels, null, null), train, job.outputs, null);
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
        TrainMemory.afterLoading(job, input, train, wOutputs != null ? wOutputs : job.outputs);
        Trainer.Start start;
        Network network;
        if (checkpoint != null) {
          network = checkpoint.model().network();
          if (network.inFeatures() != input.numFeatures()) {
            throw new IllegalArgumentException("--resume " + resume + ": the checkpoint's "
                + (network.numLayers() == 1 ? "W is " + network.inFeatures() + " x "
                    + network.outFeatures() : "network " + network.describe() + " takes "
                    + network.inFeatures() + " features")
                + " but X has " + input.numFeatures() + " features");
          }
          start = checkpoint.start();
          CheckpointChecks.compare(checkpoint, RunIdentity.of(source, input.numRows(), network,
              train, standardize), resume, spec, false);
        } else {
          network = train.network(input.numFeatures(), job.w != null
              ? job.weights(-1).numCols() : job.outputs);
          start = Trainer.Start.fresh(initialTheta(network, input.numFeatures()));
        }
        // last of the checks passed: with --overwrite, an earlier run's checkpoints go now
        CheckpointChecks.prepare(checkpoints, checkpoint, job.overwrite,
            spec.commandLine().getOut(), true);
        TrainJob.run(session.spark(), input, train, start, network,
            new TrainJob.Settings(job.out, job.overwrite, checkpoints, checkpointEvery, inputs,
                minibatch.logEvery(), standardize, RunIdentity.of(source, input.numRows(),
                    network, train, standardize)), spec.commandLine().getOut());
      } finally {
        release(input);
      }
    }
    return SparkGemmCli.OK;
  }

  /**
   * Frees the cached blocks, except after SIGINT: Spark's shutdown hook is stopping the context,
   * which drops them, and a failure here would hide what the interrupted run says.
   */
  private static void release(BlockedInput input) {
    if (!Interrupts.begun()) {
      input.release();
    }
  }

  /** The settings, refusing the flags that do not fit the optimizer or the model. */
  TrainSpec spec() {
    if (optimizer.minibatch()) {
      refuse(maxIter, "--max-iter", "is for gd and lbfgs; " + optimizer.label()
          + " stops after --epochs");
      refuse(tol, "--tol", "is for gd and lbfgs; " + optimizer.label() + " stops after "
          + "--epochs");
    }
    minibatch.check(optimizer);
    int[] sizes = hiddenSizes();
    if (sizes.length == 0) {
      refuse(activation, "--activation", "needs --hidden (the linear model has no activation)");
    } else if (job.w != null || job.b != null) {
      throw new IllegalArgumentException("--w and --b give the linear model's W and b; a "
          + "network (--hidden) starts from --init " + String.join("|", NetworkInit.SCHEMES)
          + " (or --resume)");
    } else if ("orthogonal".equals(job.init)) {
      throw new IllegalArgumentException("--init orthogonal is for the linear model; with "
          + "--hidden give " + String.join(", ", NetworkInit.SCHEMES));
    }
    TrainSpec.Builder b = TrainSpec.builder(loss).optimizer(optimizer).momentum(momentum)
        .nesterov(nesterov).regParam(reg).lbfgsMemory(memory).dtype(job.dtype())
        .backend(job.backend.options()).treeDepth(treeDepth).hiddenSizes(sizes).seed(job.seed);
    // unset: the spec's defaults (the learning rate's by the optimizer)
    MinibatchOptions.set(lr, b::learningRate);
    MinibatchOptions.set(maxIter, b::maxIter);
    MinibatchOptions.set(tol, b::tol);
    MinibatchOptions.set(activation, b::activation);
    if (job.init != null && sizes.length > 0) {
      b.init(job.init);
    }
    minibatch.apply(b);
    return b.build();
  }

  /** --hidden's widths, each a whole number >= 1; an empty piece ("8,", "8,,4") is refused. */
  private int[] hiddenSizes() {
    if (hidden == null) {
      return new int[0];
    }
    String[] pieces = hidden.split(",", -1);
    int[] sizes = new int[pieces.length];
    for (int i = 0; i < sizes.length; i++) {
      String text = pieces[i].trim();
      try {
        sizes[i] = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        sizes[i] = -1;
      }
      if (sizes[i] < 1) {
        throw new IllegalArgumentException("--hidden expects layer widths >= 1 separated by "
            + "commas (e.g. 256,128), got '" + hidden + "' (" + (text.isEmpty()
                ? "a width is empty" : "'" + text + "' is not a width") + ")");
      }
    }
    return sizes;
  }

  /** θ at the start: --w/--b or --init for the linear model, NetworkInit for a network. */
  private double[] initialTheta(Network network, int inFeatures) {
    if (network.numLayers() > 1 || "auto".equals(job.init)) {
      return NetworkInit.create(network, job.init == null ? "auto" : job.init, job.seed);
    }
    DenseBlock w = job.weights(inFeatures);
    double[] b = job.bias(w.numCols());
    if (w.numRows() != inFeatures) {
      throw new IllegalArgumentException("W is " + w.shape() + " but X has " + inFeatures
          + " features (W must be d x k with d = " + inFeatures + ")");
    }
    return Theta.linear(w, b).values();
  }

  /** The checkpoint must have been written by this optimizer, model and minibatch order. */
  private void checkResume(Checkpoints.Checkpoint checkpoint, TrainSpec train) {
    if (checkpoint.optimizer() != optimizer) {
      throw new IllegalArgumentException("--resume " + resume + ": the checkpoint was written by "
          + "--optimizer " + checkpoint.optimizer().label() + ", not " + optimizer.label());
    }
    Network saved = checkpoint.model().network();
    Network wanted = train.network(saved.inFeatures(), saved.outFeatures());
    if (!Arrays.equals(saved.sizes(), wanted.sizes())
        || !saved.activations().equals(wanted.activations())) {
      throw new IllegalArgumentException("--resume " + resume + ": the checkpoint holds "
          + describe(saved) + ", not " + describe(wanted) + " (give the --hidden and "
          + "--activation it was trained with)");
    }
    if (optimizer.minibatch() && (checkpoint.batchRows() != train.batchRows()
        || checkpoint.seed() != train.seed())) {
      throw new IllegalArgumentException("--resume " + resume + ": the checkpoint was written "
          + "with --batch-rows " + checkpoint.batchRows() + " --seed " + checkpoint.seed()
          + ", not --batch-rows " + train.batchRows() + " --seed " + train.seed()
          + " (the minibatches would differ)");
    }
    if (optimizer.minibatch() && checkpoint.minibatch().epoch() > train.epochs()) {
      throw new IllegalArgumentException("--resume " + resume + ": the checkpoint is past "
          + "epoch " + checkpoint.minibatch().epoch() + " but --epochs is " + train.epochs());
    }
  }

  private static String describe(Network network) {
    return network.numLayers() == 1 ? "the linear model " + network.describe()
        : "the network " + network.describe();
  }

  static void refuse(Object value, String flag, String why) {
    if (value != null) {
      throw new IllegalArgumentException(flag + " " + why);
    }
  }
}
