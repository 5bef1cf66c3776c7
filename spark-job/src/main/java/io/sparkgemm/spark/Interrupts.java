package io.sparkgemm.spark;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a command does when the JVM is told to stop (SIGINT from Ctrl-C, SIGTERM from kill). The
 * JVM then runs its shutdown hooks, Spark's among them, which stops the SparkContext, so the
 * command's running job fails; once the hooks are done the JVM halts, wherever the command is.
 * {@link #watch()} adds a hook that marks the stop ({@link #begun()}, so the command can tell
 * an interrupt from a failure, and commit nothing) and holds the halt until the command has
 * cleaned up (its staged output removed) and said so, for at most {@link #GRACE_SECONDS}.
 */
public final class Interrupts {
  /** How long the JVM's halt waits for the command to clean up after a stop. */
  public static final int GRACE_SECONDS = 30;

  private static volatile boolean begun;

  private Interrupts() {
  }

  /**
   * Whether the JVM has begun to shut down while a watched command ran. Hooks run in no set
   * order, so Spark's may fail the running job before ours has marked the stop: the JVM itself
   * is asked too (it refuses new hooks once shutdown has begun).
   */
  public static boolean begun() {
    if (begun) {
      return true;
    }
    Thread probe = new Thread(() -> { }, "spark-gemm shutdown probe");
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException shuttingDown) {
      return true;
    }
  }

  /** Watches one command; close it when the command has finished, message printed. */
  public static Watch watch() {
    return new Watch();
  }

  /** A registered shutdown hook, removed again by {@link #close()}. */
  public static final class Watch implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    private Watch() {
      hook = new Thread(() -> {
        begun = true;
        try {
          done.await(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "spark-gemm interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns now that done is counted down
      }
    }
  }
}
