package io.sparkgemm.spark;

import io.sparkgemm.local.ParamText;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What a command does when the JVM is told to stop (SIGINT from Ctrl-C, SIGTERM from kill). The
 * JVM then runs its shutdown hooks, Spark's among them, which stops the SparkContext, so the
 * command's running job fails; once the hooks are done the JVM halts, wherever the command is.
 * {@link #watch} adds a hook that marks the stop ({@link #begun()}, so the command can tell an
 * interrupt from a failure, and commit nothing) and holds the halt until the command has
 * cleaned up (its staged output removed) and said so. Spark's stop does not always wake a
 * driver thread waiting for a job (its futures are rejected by executors shutting down): if
 * the command has not finished after {@link #WAKE_SECONDS}, the hook runs the command's
 * {@link #lastWords} itself (clean-up and message), so the console says the same either way.
 */
public final class Interrupts {
  /** How long the hook waits for the command before it cleans up and speaks for it. */
  public static final int WAKE_SECONDS = 8;

  private static volatile boolean begun;
  private static volatile String signal;
  private static boolean noted;
  private static volatile Supplier<ParamText> lastWords;
  private static final AtomicBoolean SAID = new AtomicBoolean();

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

  /**
   * What to do and say if the JVM stops while {@code words} is registered: it cleans up (e.g.
   * removes the staged output) and returns the message; close the result when done.
   */
  public static Registration lastWords(Supplier<ParamText> words) {
    lastWords = words;
    return () -> lastWords = null;
  }

  /** A registration of {@link #lastWords}, undone by {@link #close()}. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Why the JVM stops, for the messages: "stopped by SIGINT" or "stopped by SIGTERM" when a
   * signal came, else "the JVM is exiting" (System.exit elsewhere: in local mode Spark exits
   * when an executor thread dies of an Error such as OutOfMemoryError, see the log).
   */
  public static String why() {
    String s = signal;
    return s != null ? "stopped by " + s : "the JVM is exiting (not a signal: e.g. an executor ran "
        + "out of memory, see the log)";
  }

  /**
   * Notes INT and TERM as they come, then hands each to the handler it had (the JVM's, which
   * starts the shutdown, or Spark's, which chains the same way). Once per JVM.
   */
  private static synchronized void noteSignals() {
    if (noted) {
      return;
    }
    noted = true;
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal sig = new Signal(name);
        SignalHandler[] previous = new SignalHandler[1];
        previous[0] = Signal.handle(sig, s -> {
          signal = "SIG" + s.getName();
          previous[0].handle(s);
        });
      } catch (IllegalArgumentException unavailable) {
        // the signal cannot be handled here (e.g. ignored by the parent): nothing to note
      }
    }
  }

  /** Whether the caller is the first to report the stop (the command or the hook, not both). */
  public static boolean claimSaying() {
    return SAID.compareAndSet(false, true);
  }

  /**
   * Watches one command; close it when the command has finished, message printed.
   *
   * @param say prints a stop's message (without a prefix) where the command prints errors
   */
  public static Watch watch(Consumer<ParamText> say) {
    return new Watch(say);
  }

  /** A registered shutdown hook, removed again by {@link #close()}. */
  public static final class Watch implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    private Watch(Consumer<ParamText> say) {
      SAID.set(false);
      noteSignals();
      hook = new Thread(() -> {
        begun = true;
        try {
          if (!done.await(WAKE_SECONDS, TimeUnit.SECONDS)) {
            Supplier<ParamText> words = lastWords;
            ParamText message = words != null ? words.get() : ParamText.of(why()
                + " before the output was committed; nothing was written");
            if (claimSaying()) {
              say.accept(message);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          // the JVM halts now whatever happens: say what could not be cleaned up
          if (claimSaying()) {
            say.accept(ParamText.of(why() + "; clean-up failed: " + e.getMessage()));
          }
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
