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
    adoptSecretFromEnvironment();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null && !master.isBlank()) {
      builder.master(master);
      if (master.startsWith("local")) {
        // Local mode serves nobody else: keep the driver and its UI on the loopback interface.
        builder.config("spark.driver.host", "127.0.0.1");
        builder.config("spark.driver.bindAddress", "127.0.0.1");
      }
    }
    builder.config("spark.ui.showConsoleProgress", "true");
    return new Handle(builder.getOrCreate(), true);
  }

  /**
   * SPARK-25078: in standalone cluster deploy mode the Worker hands the driver the
   * authentication secret only in the environment ({@code _SPARK_AUTH_SECRET}), while the driver
   * insists on finding it in its configuration. Copy it there (in memory; nothing is printed).
   */
  static void adoptSecretFromEnvironment() {
    String secret = System.getenv("_SPARK_AUTH_SECRET");
    if (secret != null && !secret.isEmpty()
        && Boolean.parseBoolean(System.getProperty("spark.authenticate", "false"))
        && System.getProperty("spark.authenticate.secret") == null) {
      System.setProperty("spark.authenticate.secret", secret);
    }
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
