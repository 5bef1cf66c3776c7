package io.sparkgemm.bench;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.pass.LinearPass;
import io.sparkgemm.spark.pass.PassResult;
import io.sparkgemm.spark.pass.PassSpec;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;

/**
 * spark-gemm's part of a shape: X cached as dense blocks (with class labels, or with the seeded
 * G for the backward operations), timed over {@link LinearPass} runs. Each operation's warm-up
 * run keeps its outputs and is the one checked against the floor; the timed runs discard them.
 */
final class SparkGemmRuns {
  private SparkGemmRuns() {
  }

  /** The last fit's W, b and the loss its last pass reported there, for the floor's check. */
  record FitState(DenseBlock w, double[] b, double loss) {
  }

  static FitState run(ShapeRun run) {
    BenchConfig config = run.config;
    BlockedInput labelled = cache(run, false);
    Long cached = labelled.cache().memoryBytes() + labelled.cache().diskBytes();
    try {
      time(run, labelled, Op.FORWARD, config.mainThreads(), cached);
      time(run, labelled, Op.GRADIENT, config.mainThreads(), cached);
      time(run, labelled, Op.FUSED, config.mainThreads(), cached);
      for (int threads : config.extraThreads()) {
        time(run, labelled, Op.FUSED, threads, cached);
      }
    } finally {
      labelled.release();
    }
    BlockedInput withG = cache(run, true);
    try {
      time(run, withG, Op.BACKWARD, config.mainThreads(), cached);
      time(run, withG, Op.BACKWARD_DX, config.mainThreads(), cached);
    } finally {
      withG.release();
    }
    return fit(run, cached);
  }

  private static BlockedInput cache(ShapeRun run, boolean upstream) {
    BenchInputs.Recipe recipe = run.data.recipe(!upstream, upstream);
    return BenchInputs.cache(run.spark, recipe, run.shape.n(), run.shape.d(), run.blockRows,
        run.partitions);
  }

  private static PassSpec spec(ShapeRun run, Op op, int threads, boolean keep) {
    BackendOptions backend = new BackendOptions("native", threads, null);
    PassSpec.Builder spec = switch (op) {
      case FORWARD -> PassSpec.forward().keepOutput(keep);
      case BACKWARD -> PassSpec.backward(Loss.SUPPLIED);
      case BACKWARD_DX -> PassSpec.backward(Loss.SUPPLIED).inputGradient(true);
      case GRADIENT -> PassSpec.backward(Loss.SOFTMAX_CE);
      case FUSED -> PassSpec.backward(Loss.SOFTMAX_CE).inputGradient(true);
      case FIT -> throw new IllegalArgumentException("A fit is not one pass");
    };
    return spec.dtype(run.dtype()).backend(backend).discardOutputs(!keep).build();
  }

  private static void time(ShapeRun run, BlockedInput input, Op op, int threads, Long cached) {
    double error = check(run, input, op, threads);
    PassSpec spec = spec(run, op, threads, false);
    Timings seconds = Timings.measure(run.config.warmups(), run.config.reps(), () -> {
      try (PassResult pass = LinearPass.run(run.spark, input, Theta.linear(run.w, run.b), spec)) {
        return pass.seconds();
      }
    });
    run.add(BenchConfig.SPARK_GEMM, op, threads, seconds, error, cached, null,
        run.partitions + " partitions of " + run.blockRows + "-row blocks, " + threads
            + " OpenBLAS thread(s) per task");
  }

  /** The warm-up run: keeps Y or dX, and compares the result with the floor's. */
  private static double check(ShapeRun run, BlockedInput input, Op op, int threads) {
    PassSpec spec = spec(run, op, threads, true);
    try (PassResult pass = LinearPass.run(run.spark, input, Theta.linear(run.w, run.b), spec)) {
      Floor.Output ref = run.reference.get(op);
      if (op == Op.FORWARD) {
        return sketch(pass, "Y", run.shape.k()).relativeError(ref.y());
      }
      double error = run.gradientError(op, pass.gradient().layer(0));
      if (op == Op.GRADIENT || op == Op.FUSED) {
        error = Math.max(error, Norms.relativeError(pass.gradient().layer(0).loss(),
            ref.gradients().loss()));
      }
      if (op == Op.BACKWARD_DX || op == Op.FUSED) {
        error = Math.max(error, sketch(pass, "dX", run.shape.d()).relativeError(ref.dx()));
      }
      return error;
    }
  }

  private static RowSketch sketch(PassResult pass, String name, int cols) {
    return BenchInputs.foldOutputs(pass, name, new RowSketch(cols), RowSketch::add,
        RowSketch::merge);
  }

  /**
   * {@code train}'s own path, as MLlib's fit is timed: setup (make and cache the blocks with
   * labels), then {@link Trainer} with L-BFGS (10 correction pairs, as MLlib), tol 0, no
   * regularisation, {@code fitIterations} iterations from W = 0, b = 0. Timed {@code reps}
   * times, each from nothing (no warm-up: that is part of what a fit costs).
   */
  private static FitState fit(ShapeRun run, Long cached) {
    BenchConfig config = run.config;
    double[] seconds = new double[config.reps()];
    double[] setups = new double[config.reps()];
    FitState last = null;
    String lastRan = null;
    TrainSpec spec = TrainSpec.builder(Loss.SOFTMAX_CE).learningRate(1.0)
        .maxIter(config.fitIterations()).tol(0.0).dtype(run.dtype())
        .backend(new BackendOptions("native", config.mainThreads(), null)).build();
    for (int r = 0; r < seconds.length; r++) {
      Timings.settle();
      long start = System.nanoTime();
      BlockedInput input = cache(run, false);
      setups[r] = (System.nanoTime() - start) / 1e9;
      try {
        Network network = Network.linear(input.numFeatures(), run.shape.k());
        Objective objective = new Objective(run.spark, input, network, spec);
        Trainer.Result result = Trainer.train(objective, spec,
            Trainer.Start.fresh(new double[objective.numParameters()]), (rec, theta, v) -> { });
        lastRan = (result.history().size() - 1) + " iterations, "
            + result.stopReason().label() + ", "
            + result.passes() + " softmax-ce passes";
        Theta fitted = Theta.of(network, result.theta());
        last = new FitState(fitted.weight(0).toDType(run.dtype()), fitted.bias(0),
            result.last().loss());
      } finally {
        input.release();
      }
      seconds[r] = (System.nanoTime() - start) / 1e9;
    }
    run.add(BenchConfig.SPARK_GEMM, Op.FIT, config.mainThreads(), Timings.of(seconds), null,
        cached, Timings.of(setups).median(), "making and caching the blocks + train: L-BFGS "
            + "(m = 10, tol 0, no regularisation, at most " + config.fitIterations()
            + " iterations); last fit: " + lastRan + " (line searches included)");
    return last;
  }
}
