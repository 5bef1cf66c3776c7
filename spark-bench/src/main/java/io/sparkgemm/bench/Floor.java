package io.sparkgemm.bench;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor: the same kernels as the distributed pass ({@link LinearKernels} over native BLAS) on
 * the same blocks, in one JVM, no Spark, buffers allocated once per thread. Blocks are dealt
 * round-robin to {@code javaThreads} threads, each calling BLAS with {@code blasThreads} OpenBLAS
 * threads (one Java thread per core with one BLAS thread each is how Spark runs tasks); their
 * gradient sums are merged in thread order.
 */
public final class Floor {

  /**
   * One block of X with what the operation needs: the upstream gradient rows (rows x k, same
   * dtype) for {@link Op#BACKWARD} and {@link Op#BACKWARD_DX}, the class labels for the loss
   * heads that need them; null otherwise.
   */
  public record Block(DenseBlock x, DenseBlock g, int[] labels) {
  }

  /**
   * What one run produced: the gradient sums (null for forward), and when sketching was asked,
   * sketches of Y (forward) and dX (operations with dX).
   */
  public record Output(GradientAccumulator gradients, RowSketch y, RowSketch dx) {
  }

  /** How to run: the operation, its loss head (for gradient and fused), and the threads. */
  public record Setup(Op op, LossHead head, int javaThreads, int blasThreads) {
    public Setup {
      if (javaThreads < 1 || blasThreads < 1) {
        throw new IllegalArgumentException("Floor threads must be >= 1, got " + javaThreads
            + " Java threads and " + blasThreads + " BLAS threads");
      }
      if ((op == Op.GRADIENT || op == Op.FUSED) && head == null) {
        throw new IllegalArgumentException(op.label() + " needs a loss head");
      }
      if (op == Op.FIT) {
        throw new IllegalArgumentException("The floor has no fit");
      }
    }
  }

  private Floor() {
  }

  /** Timings of {@code reps} runs after {@code warmups} untimed ones ({@link Timings#measure}). */
  public static Timings time(List<Block> blocks, DenseBlock w, double[] b, Setup setup,
      int warmups, int reps) {
    return Timings.measure(warmups, reps,
        () -> Timings.wall(() -> run(blocks, w, b, setup, false)));
  }

  /** One run over every block; sketches Y or dX when {@code sketch}. */
  public static Output run(List<Block> blocks, DenseBlock w, double[] b, Setup setup,
      boolean sketch) {
    // Sets the process-wide OpenBLAS thread count before any worker calls BLAS.
    LinearKernels kernels = new LinearKernels(Backends.nativeBackend(
        new BackendOptions("native", setup.blasThreads(), null)));
    int threads = Math.max(1, Math.min(setup.javaThreads(), blocks.size()));
    Worker[] workers = new Worker[threads];
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Worker worker = new Worker(kernels, blocks, w, b, setup, t, threads, sketch);
      workers[t] = worker;
      Thread thread = new Thread(worker, "spark-gemm-floor-" + t);
      thread.start();
      started.add(thread);
    }
    for (Thread thread : started) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the floor ran", e);
      }
    }
    Worker first = workers[0];
    if (first.failure != null) {
      throw new IllegalStateException("Floor run failed", first.failure);
    }
    for (int t = 1; t < threads; t++) {
      Worker other = workers[t];
      if (other.failure != null) {
        throw new IllegalStateException("Floor run failed", other.failure);
      }
      if (first.acc != null) {
        first.acc.merge(other.acc);
      }
      if (first.ySketch != null) {
        first.ySketch.merge(other.ySketch);
      }
      if (first.dxSketch != null) {
        first.dxSketch.merge(other.dxSketch);
      }
    }
    return new Output(first.acc, first.ySketch, first.dxSketch);
  }

  /** One thread's share: blocks t, t + threads, ... with its own buffers and sums. */
  private static final class Worker implements Runnable {
    final LinearKernels kernels;
    final List<Block> blocks;
    final DenseBlock w;
    final double[] b;
    final Setup setup;
    final int first;
    final int stride;
    final GradientAccumulator acc;
    final RowSketch ySketch;
    final RowSketch dxSketch;
    Throwable failure;

    Worker(LinearKernels kernels, List<Block> blocks, DenseBlock w, double[] b, Setup setup,
        int first, int stride, boolean sketch) {
      this.kernels = kernels;
      this.blocks = blocks;
      this.w = w;
      this.b = b;
      this.setup = setup;
      this.first = first;
      this.stride = stride;
      Op op = setup.op();
      this.acc = op == Op.FORWARD ? null : new GradientAccumulator(w.numRows(), w.numCols());
      this.ySketch = sketch && op == Op.FORWARD ? new RowSketch(w.numCols()) : null;
      boolean dx = op == Op.BACKWARD_DX || op == Op.FUSED;
      this.dxSketch = sketch && dx ? new RowSketch(w.numRows()) : null;
    }

    @Override
    public void run() {
      try {
        compute();
      } catch (Throwable e) {
        failure = e;
      }
    }

    private void compute() {
      Op op = setup.op();
      int d = w.numRows();
      int k = w.numCols();
      DenseBlock y = null;
      DenseBlock g = null;
      DenseBlock dx = null;
      for (int i = first; i < blocks.size(); i += stride) {
        Block block = blocks.get(i);
        DenseBlock x = block.x();
        y = reuse(y, x, k);
        if (op == Op.FORWARD) {
          // x: rows x d   w: d x k   y: rows x k
          kernels.forward(x, w, b, y);
          if (ySketch != null) {
            ySketch.add(y.withRowIds(x.rowIds()));
          }
          continue;
        }
        boolean withDx = op == Op.BACKWARD_DX || op == Op.FUSED;
        if (withDx) {
          dx = reuse(dx, x, d);
        }
        if (op == Op.BACKWARD || op == Op.BACKWARD_DX) {
          // dw += xᵀ g, db += 1ᵀ g with the supplied g   (beta = 1: gradients add across blocks)
          kernels.accumulateGradients(x, block.g(), acc);
          if (withDx) {
            // dx = g wᵀ: rows x d
            kernels.inputGradient(block.g(), w, dx);
          }
        } else {
          // y = x w + b, g = head(y), dw += xᵀ g, db += 1ᵀ g (and dx = g wᵀ), as the pass does
          g = reuse(g, x, k);
          Labels labels = block.labels() == null ? null : Labels.classes(block.labels());
          kernels.backward(x, w, b, setup.head(), labels, y, g, withDx ? dx : null, acc);
        }
        if (dxSketch != null) {
          dxSketch.add(dx.withRowIds(x.rowIds()));
        }
      }
    }

    private static DenseBlock reuse(DenseBlock current, DenseBlock x, int cols) {
      return current != null && current.numRows() == x.numRows() ? current
          : DenseBlock.zeros(x.dtype(), x.numRows(), cols);
    }
  }
}
