package io.sparkgemm.spark;

import org.apache.spark.sql.SparkSession;

/** The SparkSession for a command: the running one (tests, notebooks), else a new one. */
public final class Sessions {
  private Sessions() {
  }

  /** A session handle; {@link Handle#close()} stops the session only if this call created it. */
  public static Handle open(String master, String appName) {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    if (active.isDefined()) {
      return new Handle(active.get(), false);
    }
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null && !master.isBlank()) {
      builder.master(master);
    }
    builder.config("spark.ui.showConsoleProgress", "true");
    return new Handle(builder.getOrCreate(), true);
  }

  /** An open session. */
  public record Handle(SparkSession spark, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) {
        spark.stop();
      }
    }
  }
}
