package io.sparkgemm.spark.pass;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkParams;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * θ for a job that runs a network (a pass, an evaluation): inside the tasks when small
 * ({@link #ships}), else in one broadcast, either way as {@link CastParams} (serialized in
 * bulk). The job's function captures this object and reads
 * {@link #params()} in its tasks; the driver closes it once the job is done, in
 * try-with-resources, which destroys the broadcast and waits until its blocks are gone
 * ({@link PassResult#destroy}). The copies the tasks deserialize are never closed.
 */
public final class TaskParams implements Serializable, AutoCloseable {
  private static final long serialVersionUID = 1L;

  /**
   * The largest θ a job ships inside its tasks (in its dtype): half of the 1000 KiB above which
   * Spark warns of a large task binary, leaving room for the lineage.
   */
  public static final long SHIPPED_THETA_BYTES = 512 * 1024;

  private final CastParams inTask;
  private final Broadcast<CastParams> cast;
  private transient boolean closed;

  private TaskParams(CastParams inTask, Broadcast<CastParams> cast) {
    this.inTask = inTask;
    this.cast = cast;
  }

  /** θ in its dtype ({@code params}, not copied), in the tasks or broadcast now. */
  public static TaskParams of(JavaSparkContext jsc, NetworkParams params) {
    return of(jsc, params, ships(params.network(), params.dtype()));
  }

  /** θ inside the tasks ({@code shipped}) or in a broadcast made now, whatever its size. */
  static TaskParams of(JavaSparkContext jsc, NetworkParams params, boolean shipped) {
    CastParams cast = new CastParams(params);
    return shipped ? new TaskParams(cast, null) : new TaskParams(null, jsc.broadcast(cast));
  }

  /** The broadcast θ travels in, if any (a pass's result owns it from then on). */
  List<Broadcast<?>> broadcasts() {
    return cast == null ? List.of() : List.of(cast);
  }

  /**
   * Whether a θ of {@code network} in {@code dtype} travels inside the tasks: at most
   * {@link #SHIPPED_THETA_BYTES}. A broadcast costs every job milliseconds of fixed work on the
   * driver (its pieces, their registration, and the blocking removal, {@link PassResult#destroy})
   * whatever θ's size, 9 ms of a 0.19 s forward pass at 200,000 x 256 → 128 on 2 cores; a θ in
   * the task travels in the task binary that Spark broadcasts for every job anyway, and is
   * released with it.
   */
  public static boolean ships(Network network, DType dtype) {
    return (long) network.numParameters() * dtype.bytes() <= SHIPPED_THETA_BYTES;
  }

  /** θ, in a task: the one it carries, else the broadcast's. */
  public NetworkParams params() {
    return (inTask != null ? inTask : cast.value()).params();
  }

  /** Destroys the broadcast, if any, and waits for its blocks to go; later calls do nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (cast != null) {
      PassResult.destroy(cast);
    }
  }
}
