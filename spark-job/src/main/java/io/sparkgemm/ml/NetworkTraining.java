package io.sparkgemm.ml;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.Init;
import io.sparkgemm.local.RidgeSolver;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkInit;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.DataFrameInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.train.NormalEquations;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.StopReason;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fit} of both estimators, whatever the depth: blockifies and caches the DataFrame once
 * and trains d -> hiddenLayers -> k as {@code spark-gemm train} does (full-batch lbfgs or gd,
 * minibatch sgd or adam; the regressor's {@code normal} solves the linear model's normal
 * equations as {@code spark-gemm solve}). The objective is the mean loss +
 * (regParam/2)·Σ||W_l||², biases unpenalised; no hidden layers is the linear model.
 */
final class NetworkTraining {
  private NetworkTraining() {
  }

  /** What one fit produced. */
  record Fitted(Network network, double[] theta, NetworkTrainingSummary summary) {
  }

  /** The training the stage's Params describe (checked before any data is read). */
  static TrainSpec spec(TrainingParams<?> stage, Loss loss) {
    int[] hidden = stage.getHiddenLayers();
    if (TrainingParams.NORMAL.equals(stage.getOptimizer()) && hidden.length > 0) {
      throw new BadParameterException(param("optimizer"), " normal solves the linear model "
          + "only; ", param("hiddenLayers"), " is " + Arrays.toString(hidden)
          + " (use lbfgs, gd, sgd or adam)");
    }
    if ("orthogonal".equals(stage.getInit()) && hidden.length > 0) {
      throw new BadParameterException(param("init"), " orthogonal is for the linear model; "
          + "with ", param("hiddenLayers"), " " + Arrays.toString(hidden) + " give one of "
          + String.join(", ", NetworkInit.SCHEMES));
    }
    Optimizer optimizer = TrainingParams.NORMAL.equals(stage.getOptimizer()) ? Optimizer.LBFGS
        : Optimizer.parse(stage.getOptimizer());
    TrainSpec.Builder spec = TrainSpec.builder(loss).optimizer(optimizer)
        .learningRate(stage.getStepSize()).momentum(stage.getMomentum())
        .regParam(stage.getRegParam()).maxIter(stage.getMaxIter()).tol(stage.getTol())
        .backend(stage.backendOptions()).batchRows(stage.getBatchRows())
        .epochs(stage.getEpochs()).seed(stage.getSeed()).hiddenSizes(hidden)
        .activation(Activation.parse(stage.getActivation()));
    // orthogonal is the linear model's alone (Init); TrainSpec names NetworkInit's schemes
    if (NetworkInit.SCHEMES.contains(stage.getInit())) {
      spec.init(stage.getInit());
    }
    return spec.build();
  }

  /**
   * Trains the stage's network on {@code dataset}.
   *
   * @param outputs k from the blocked input (classes or targets)
   */
  static Fitted fit(TrainingParams<?> stage, Dataset<?> dataset, String featuresCol,
      String labelCol, Loss loss, LabelKind labels, ToIntFunction<BlockedInput> outputs) {
    TrainSpec spec = spec(stage, loss);
    InputSpec inputSpec = InputSpec.builder("DataFrame given to " + stage.uid())
        .featuresCol(featuresCol).labels(labels, labelCol, null)
        .blockRows(stage.getBlockRows()).build();
    SparkSession spark = dataset.sparkSession();
    BlockedInput input = DataFrameInput.load(spark, dataset.toDF(), inputSpec);
    try {
      Network network = spec.network(input.numFeatures(), outputs.applyAsInt(input));
      Trainer.Result result = TrainingParams.NORMAL.equals(stage.getOptimizer())
          ? solve(spark, input, network, stage)
          : Trainer.train(new Objective(spark, input, network, spec), spec,
              Trainer.Start.fresh(start(network, stage.getInit(), spec.seed())),
              (record, theta, velocity) -> { });
      return new Fitted(network, result.theta(), NetworkTrainingSummary.of(result));
    } finally {
      input.release();
    }
  }

  /**
   * θ at the start, as train's: the linear model's zeros, xavier, he or orthogonal W (Init);
   * auto, and every network, through NetworkInit; biases 0.
   */
  private static double[] start(Network network, String init, long seed) {
    if (network.isLinear() && !"auto".equals(init)) {
      return Theta.linear(Init.parse(init).create(network.inFeatures(),
          network.outFeatures(), seed), new double[network.outFeatures()]).values();
    }
    return NetworkInit.create(network, init, seed);
  }

  /** The linear model's W and b from the normal equations, as {@code spark-gemm solve}. */
  private static Trainer.Result solve(SparkSession spark, BlockedInput input, Network network,
      TrainingParams<?> stage) {
    NormalEquations.Sums sums = NormalEquations.compute(spark, input, stage.backendOptions(),
        0);
    RidgeSolver.Solution s = RidgeSolver.solve(sums.gram(), sums.rhs(), sums.inFeatures(),
        network.outFeatures(), sums.numRows() * stage.getRegParam() / 2);
    return new Trainer.Result(Theta.linear(s.w(), s.b()).values(), List.of(),
        StopReason.CLOSED_FORM, 1, sums.seconds());
  }
}
