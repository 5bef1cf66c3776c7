package io.sparkgemm.bench;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor's part of a shape: the reference result of every operation (always: every contender
 * is checked against it) and, when listed, its timings, with one Java thread per core.
 */
final class FloorRuns {
  private FloorRuns() {
  }

  static final Op[] OPS = {Op.FORWARD, Op.BACKWARD, Op.BACKWARD_DX, Op.GRADIENT, Op.FUSED};

  static void run(ShapeRun run) {
    List<Floor.Block> blocks = blocks(run);
    BenchConfig config = run.config;
    for (Op op : OPS) {
      Floor.Setup setup = setup(run, op, config.mainThreads());
      run.reference.put(op, Floor.run(blocks, run.w, run.b, setup, true));
      if (config.runs(BenchConfig.FLOOR)) {
        Timings t = Floor.time(blocks, run.w, run.b, setup, config.warmups(), config.reps());
        run.floorMedian.put(op, t.median());
        run.add(BenchConfig.FLOOR, op, config.mainThreads(), t, 0.0, run.data.rawBytes(), null,
            run.cores + " Java threads x " + config.mainThreads() + " OpenBLAS thread(s)");
      }
    }
    if (config.runs(BenchConfig.FLOOR)) {
      for (int threads : config.extraThreads()) {
        Floor.Setup setup = setup(run, Op.FUSED, threads);
        Timings t = Floor.time(blocks, run.w, run.b, setup, config.warmups(), config.reps());
        Floor.Output out = Floor.run(blocks, run.w, run.b, setup, true);
        run.add(BenchConfig.FLOOR, Op.FUSED, threads, t, error(run, Op.FUSED, out),
            run.data.rawBytes(), null, run.cores + " Java threads x " + threads
                + " OpenBLAS threads (oversubscribed when > 1)");
      }
      // One Java thread driving all cores through OpenBLAS's own threads.
      Floor.Setup blas = new Floor.Setup(Op.FUSED, head(run), 1, run.cores);
      Timings t = Floor.time(blocks, run.w, run.b, blas, config.warmups(), config.reps());
      run.add(BenchConfig.FLOOR + "-blas-threads", Op.FUSED, run.cores, t, 0.0,
          run.data.rawBytes(), null,
          "1 Java thread x " + run.cores + " OpenBLAS threads");
    }
  }

  /** The mean softmax-ce loss and gradients at (w, b) by the floor (for the fits' checks). */
  static GradientAccumulator evaluate(ShapeRun run, DenseBlock w, double[] b) {
    return Floor.run(blocks(run), w, b, setup(run, Op.GRADIENT, run.config.mainThreads()), false)
        .gradients();
  }

  /** Relative error of a floor-shaped result against the reference for {@code op}. */
  static double error(ShapeRun run, Op op, Floor.Output out) {
    double e = run.gradientError(op, out.gradients());
    if (out.dx() != null) {
      e = Math.max(e, out.dx().relativeError(run.reference.get(op).dx()));
    }
    return e;
  }

  private static Floor.Setup setup(ShapeRun run, Op op, int blasThreads) {
    return new Floor.Setup(op, head(run), run.cores, blasThreads);
  }

  private static LossHead head(ShapeRun run) {
    return LossHeads.of("softmax-ce", run.shape.n());
  }

  /** X, G and labels in the same blocks spark-gemm caches. */
  private static List<Floor.Block> blocks(ShapeRun run) {
    long n = run.shape.n();
    List<Floor.Block> blocks = new ArrayList<>();
    for (long from = 0; from < n; from += run.blockRows) {
      long to = Math.min(n, from + run.blockRows);
      blocks.add(new Floor.Block(run.data.xBlock(from, to), run.data.gBlock(from, to),
          run.data.labels(from, to)));
    }
    return blocks;
  }
}
