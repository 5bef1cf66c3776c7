package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkGradient;
import io.sparkgemm.spark.output.OutputBlock;
import io.sparkgemm.spark.reduce.PartitionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;

/**
 * The outcome of one pass. It owns the pass's broadcast of θ (W for the linear layer) and, when
 * outputs were kept, the cached partition results holding the Y / dX blocks: {@link #close()}
 * frees both (once, however often it is called), so open it in try-with-resources. The numbers
 * stay readable after closing; {@link #outputBlocks} does not.
 */
public final class PassResult implements AutoCloseable {

  /** X is n x d, Y n x k (W d x k for the linear layer); n is the step's rows for a step. */
  public record Shape(long numRows, int inFeatures, int outFeatures) {
  }

  /**
   * How the gradient was reduced.
   *
   * @param treeDepth depth of the tree reduction (0 for a forward pass)
   * @param gradientShards column shards dW was reduced in (1: unsharded)
   * @param bytesToDriver gradient bytes the last reduction level sent to the driver
   */
  public record ReductionStats(int treeDepth, int gradientShards, long bytesToDriver) {
  }

  private final PassSpec spec;
  private final Shape shape;
  private final Network network;
  private final NetworkGradient gradients;
  private final JavaRDD<PartitionResult> partials;
  private final ReductionStats reduction;
  private final double seconds;
  private final double computeSeconds;
  private final double dxNorm;
  private final List<String> backends;
  private final List<Broadcast<?>> broadcasts;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PassResult(Builder b) {
    this.spec = b.spec;
    this.shape = b.shape;
    this.network = b.network;
    this.gradients = b.gradients;
    this.partials = b.partials;
    this.reduction = b.reduction;
    this.seconds = b.seconds;
    this.computeSeconds = b.computeSeconds;
    this.dxNorm = b.dxNorm;
    this.backends = List.copyOf(b.backends);
    this.broadcasts = List.copyOf(b.broadcasts);
  }

  static Builder builder(PassSpec spec, Shape shape) {
    return new Builder(spec, shape);
  }

  public PassSpec spec() {
    return spec;
  }

  public Shape shape() {
    return shape;
  }

  public long numRows() {
    return shape.numRows();
  }

  public int inFeatures() {
    return shape.inFeatures();
  }

  public int outFeatures() {
    return shape.outFeatures();
  }

  /** The network the pass ran ({@code Network.linear(d, k)} for the linear layer). */
  public Network network() {
    return network;
  }

  /**
   * Every layer's dW and db, the loss and the row count summed over the batch (null for a
   * forward pass); for the linear layer dW and db are {@code gradient().layer(0)}, and
   * {@link NetworkGradient#flat()} is the gradient in θ's order.
   */
  public NetworkGradient gradient() {
    return gradients;
  }

  /**
   * The cached partition results holding Y / dX blocks, or null when none were kept; freed by
   * {@link #close()}.
   */
  public JavaRDD<PartitionResult> partials() {
    return partials;
  }

  public ReductionStats reduction() {
    return reduction;
  }

  public int treeDepth() {
    return reduction.treeDepth();
  }

  public int gradientShards() {
    return reduction.gradientShards();
  }

  public long bytesToDriver() {
    return reduction.bytesToDriver();
  }

  /** Wall time of the pass on the driver. */
  public double seconds() {
    return seconds;
  }

  /** Summed task time spent in the kernels. */
  public double computeSeconds() {
    return computeSeconds;
  }

  /** ||dX|| (Frobenius) when dX was computed and kept for writing, else 0. */
  public double dxNorm() {
    return dxNorm;
  }

  /** The backend lines reported by the executors. */
  public List<String> backends() {
    return backends;
  }

  /**
   * Floating-point operations of the pass's GEMMs: 2n·d_l·d_{l+1} per layer for the forward
   * pass, again for every dW_l when backward, for every G passed down to a hidden layer, and for
   * dX; for one layer 2ndk each for Y, dW and dX.
   */
  public double flops() {
    double forward = 0;
    for (int l = 0; l < network.numLayers(); l++) {
      forward += 2.0 * numRows() * network.size(l) * network.size(l + 1);
    }
    if (!spec.backward()) {
      return forward;
    }
    double first = 2.0 * numRows() * network.size(0) * network.size(1);
    return 2 * forward + (forward - first) + (spec.inputGradient() ? first : 0);
  }

  public double gflopsPerSecond() {
    return seconds > 0 ? flops() / seconds / 1e9 : 0.0;
  }

  /**
   * The kept row-shaped output blocks named {@code name} ("Y" or "dX"), read from
   * {@code partials} on the executors.
   */
  public JavaRDD<DenseBlock> outputBlocks(String name) {
    if (partials == null) {
      throw new IllegalStateException("The pass kept no outputs (keepOutput or inputGradient, "
          + "without discardOutputs)");
    }
    if (closed.get()) {
      throw new IllegalStateException("The pass was closed: its outputs are freed");
    }
    return partials.flatMap(r -> {
      List<DenseBlock> mine = new ArrayList<>();
      for (OutputBlock o : r.outputs()) {
        if (o.name().equals(name)) {
          mine.add(o.values());
        }
      }
      return mine.iterator();
    });
  }

  /** Whether {@link #close()} ran. */
  public boolean isClosed() {
    return closed.get();
  }

  /** The broadcasts (of θ) this result owns (for tests of their clean-up). */
  List<Broadcast<?>> broadcasts() {
    return broadcasts;
  }

  /**
   * Frees the cached outputs and destroys the pass's broadcast of θ; later calls do
   * nothing. The outputs' lineage refers to the broadcasts, so both live until the outputs are
   * written.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (partials != null) {
      partials.unpersist(false);
    }
    for (Broadcast<?> b : broadcasts) {
      destroy(b);
    }
  }

  /**
   * Destroys a broadcast and waits until its blocks are gone from the driver and the executors.
   * Spark's {@code destroy()} only sends the removal; the broadcast may then be
   * garbage-collected and its ContextCleaner removal run while the first one is still under
   * way, and two removals of one block fail ("Error cleaning broadcast N: Block
   * broadcast_N_piece0 does not exist"). Once this returns, the cleaner finds nothing to remove.
   * {@code destroy(boolean)} is Spark's own (package-private in Scala, public to Java).
   */
  static void destroy(Broadcast<?> b) {
    b.destroy(true);
  }

  /** Builds a result; only the pass makes them. */
  static final class Builder {
    private final PassSpec spec;
    private final Shape shape;
    private Network network;
    private NetworkGradient gradients;
    private JavaRDD<PartitionResult> partials;
    private ReductionStats reduction = new ReductionStats(0, 1, 0);
    private double seconds;
    private double computeSeconds;
    private double dxNorm;
    private List<String> backends = List.of();
    private List<Broadcast<?>> broadcasts = List.of();

    private Builder(PassSpec spec, Shape shape) {
      this.spec = spec;
      this.shape = shape;
    }

    Builder network(Network network) {
      this.network = network;
      return this;
    }

    Builder gradients(NetworkGradient gradients) {
      this.gradients = gradients;
      return this;
    }

    /** The cached partition results with the kept outputs (the result unpersists them). */
    Builder keptOutputs(JavaRDD<PartitionResult> partials) {
      this.partials = partials;
      return this;
    }

    Builder reduction(ReductionStats reduction) {
      this.reduction = reduction;
      return this;
    }

    Builder seconds(double wall, double compute) {
      this.seconds = wall;
      this.computeSeconds = compute;
      return this;
    }

    Builder dxNorm(double dxNorm) {
      this.dxNorm = dxNorm;
      return this;
    }

    Builder backends(List<String> backends) {
      this.backends = backends;
      return this;
    }

    /** Broadcasts the result owns (it destroys them on close). */
    Builder broadcasts(List<Broadcast<?>> broadcasts) {
      this.broadcasts = broadcasts;
      return this;
    }

    PassResult build() {
      return new PassResult(this);
    }
  }
}
