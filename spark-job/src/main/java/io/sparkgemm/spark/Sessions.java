package io.sparkgemm.spark;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.sasl.SaslException;
import org.apache.spark.SecurityManager;
import org.apache.spark.SecurityManager$;
import org.apache.spark.SparkConf;
import org.apache.spark.network.TransportContext;
import org.apache.spark.network.client.TransportClientFactory;
import org.apache.spark.network.crypto.AuthClientBootstrap;
import org.apache.spark.network.server.NoOpRpcHandler;
import org.apache.spark.network.util.MapConfigProvider;
import org.apache.spark.network.util.TransportConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.ui.ConsoleProgressBar;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;

/** The SparkSession for a command: the running one (tests, notebooks), else a new one. */
public final class Sessions {
  /** Hadoop setting (Spark passes spark.hadoop.* on) for Parquet's vectored reads. */
  static final String VECTORED_IO = "spark.hadoop.parquet.hadoop.vectored.io.enabled";
  /** The largest task result that travels with the task's status. */
  static final String DIRECT_RESULT = "spark.task.maxDirectResultSize";
  /** The size of a broadcast's pieces, and of the buffer every broadcast starts with. */
  static final String BROADCAST_PIECE = "spark.broadcast.blockSize";

  private Sessions() {
  }

  /** A session handle; {@link Handle#close()} stops the session only if this call created it. */
  public static Handle open(String master, String appName) {
    if (master != null && !master.isBlank()) {
      checkMaster(master);
    }
    Option<SparkSession> active = SparkSession.getActiveSession();
    if (active.isDefined()) {
      return new Handle(active.get(), false);
    }
    adoptSecretFromEnvironment();
    if (master != null && master.startsWith("spark://")) {
      checkAuthentication(master);
    }
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null && !master.isBlank()) {
      builder.master(master);
      if (master.startsWith("local")) {
        // Local mode serves nobody else: keep the driver and its UI on the loopback interface.
        builder.config("spark.driver.host", "127.0.0.1");
        builder.config("spark.driver.bindAddress", "127.0.0.1");
        localUi(builder);
      }
    }
    builder.config("spark.ui.showConsoleProgress", "true");
    blockSizedElements(builder);
    return new Handle(builder.getOrCreate(), true);
  }

  /**
   * Settings for elements of megabytes (spark-gemm's blocks), each unless the user set it. Spark
   * caches a partition by unrolling it into memory and checks the memory it took every
   * {@code spark.storage.unrollMemoryCheckPeriod} elements (16 by default), before it falls back
   * to disk: 16 blocks (64 MB with the default 4 MB blocks) per task overrun a small executor
   * first. Java serialization (cached blocks going to disk, shuffles) keeps every object it has
   * written reachable until the stream is reset, every {@code spark.serializer.objectStreamReset}
   * objects (100 by default): 100 blocks per task. Both are set to every element.
   *
   * <p>Parquet's vectored reads ({@code parquet.hadoop.vectored.io.enabled}) read a row group's
   * column chunk (up to 128 MB for X's features) into one new array per read, where the classic
   * read fills pieces of at most 8 MB: off, reading a 1.6 GB file into blocks took 13.8 s
   * instead of 15.6 s in a fresh JVM (docs/performance.md, "A command's first seconds").
   *
   * <p>A task result above {@code spark.task.maxDirectResultSize} (1 MB by default) is parked in
   * the executor's block manager and fetched by the driver over the network, even in local mode:
   * a minibatch step of the 784-256-10 network (a 1.6 MB gradient per partition) waited 5-9 ms
   * for it. Results up to 16 MB (a gradient of 2M float64 parameters per leaf) come with the
   * task's status instead; larger ones are still fetched.
   *
   * <p>Every broadcast, the task binary Spark makes for each job included, is written into a
   * buffer of {@code spark.broadcast.blockSize} (4 MB by default): an array of at least half a G1
   * region is a humongous object, and once the cached blocks fill the heap past G1's initiating
   * occupancy, each one started a concurrent marking cycle, one per pass (302 collections in
   * 100 L-BFGS iterations of {@code train} on 60,000 x 784 against 56 with 256 KB pieces).
   * Pieces of 512 KB stay below half a region in heaps of 4 GB and more.
   */
  public static void blockSizedElements(SparkSession.Builder builder) {
    SparkConf user = new SparkConf();
    if (!user.contains(DIRECT_RESULT)) {
      builder.config(DIRECT_RESULT, "16m");
    }
    if (!user.contains(BROADCAST_PIECE)) {
      builder.config(BROADCAST_PIECE, "512k");
    }
    for (String key : List.of("spark.storage.unrollMemoryCheckPeriod",
        "spark.serializer.objectStreamReset")) {
      if (!user.contains(key)) {
        builder.config(key, "1");
      }
    }
    if (!user.contains(VECTORED_IO)) {
      builder.config(VECTORED_IO, "false");
    }
  }

  /**
   * Refuses a master URL Spark cannot start (today Spark says so only with a trace), before any
   * session: local, local[N], local[*], local[N,F], local-cluster[N,C,M], spark://HOST:PORT[,...],
   * yarn or k8s://URL, with N at least 1.
   */
  static void checkMaster(String master) {
    String threads = "(\\*|[1-9][0-9]*)";
    String hostPort = "(\\[[0-9A-Fa-f:.]+\\]|[^:,/\\s\\[\\]]+):[0-9]+";
    List<String> forms = List.of("local", "local\\[" + threads + "\\]",
        "local\\[" + threads + "\\s*,\\s*[0-9]+\\]",
        "local-cluster\\[\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*\\]",
        "spark://" + hostPort + "(," + hostPort + ")*", "yarn", "k8s://\\S+");
    if (forms.stream().noneMatch(master::matches)) {
      throw new IllegalArgumentException("--master " + master + " is not a master URL Spark can "
          + "use: expected local, local[N] or local[*] (N >= 1 threads), local[N,F], "
          + "spark://HOST:PORT, yarn or k8s://URL");
    }
  }

  /**
   * Spark binds its UI to SPARK_LOCAL_IP, else to every interface ({@code spark.driver.bindAddress}
   * does not apply to it). In local mode the UI is therefore on only where it stays on loopback:
   * SPARK_LOCAL_IP a loopback address (scripts/spark-gemm sets 127.0.0.1 for local masters), or
   * spark.ui.enabled=true asked for explicitly (with a warning when it listens beyond loopback).
   */
  private static void localUi(SparkSession.Builder builder) {
    String localIp = System.getenv("SPARK_LOCAL_IP");
    boolean loopback = localIp != null && isLoopback(localIp);
    String asked = System.getProperty("spark.ui.enabled");
    if (asked == null) {
      builder.config("spark.ui.enabled", Boolean.toString(loopback));
    } else if (Boolean.parseBoolean(asked.trim()) && !loopback) {
      LoggerFactory.getLogger(Sessions.class).warn("spark.ui.enabled=true: the Spark UI listens "
          + "on {} (set SPARK_LOCAL_IP=127.0.0.1 to keep it on loopback)",
          localIp == null ? "all interfaces" : localIp);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host.trim()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * A standalone master with authentication on ignores an application that comes without the
   * secret (or with another one): Spark's client tries three times, 20 s apart, then fails with
   * "Cannot call methods on a stopped SparkContext". Knock once first and refuse at once when
   * the master turns this job's authentication down: with a secret, its handshake alone; without
   * one, the endpoint lookup Spark's client starts with (a master without authentication answers
   * it, one with authentication refuses it). A master that cannot be reached is left to Spark,
   * which retries and says so.
   */
  static void checkAuthentication(String master) {
    SparkConf conf = new SparkConf().set("spark.rpc.lookupTimeout", "10s")
        .set("spark.rpc.io.connectionTimeout", "10s");
    boolean authenticate = conf.getBoolean("spark.authenticate", false);
    SecurityManager security = new SecurityManager(conf, Option.empty(),
        SecurityManager$.MODULE$.$lessinit$greater$default$3());
    security.initializeAuth();
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      RpcAddress address = RpcAddress.fromSparkURL("spark://" + hostPort);
      if (authenticate ? handshakeRefused(conf, security, address)
          : lookupRefused(conf, security, address)) {
        throw new IllegalArgumentException("The Spark master at " + master
            + (authenticate ? " refused this job's authentication: its secret "
                + "(spark.authenticate.secret) is not the master's"
                : " requires authentication and this job was sent without it: set "
                + "spark.authenticate=true and spark.authenticate.secret to the "
                + "cluster's secret (scripts/submit does for scripts/cluster.sh --secure)"));
      }
    }
  }

  /** Whether the master turns down this job's secret (SASL, as Spark's RPC client does it). */
  private static boolean handshakeRefused(SparkConf conf, SecurityManager security,
      RpcAddress master) {
    Map<String, String> settings = new HashMap<>();
    for (Tuple2<String, String> entry : conf.getAll()) {
      settings.put(entry._1(), entry._2());
    }
    TransportConf transport = new TransportConf("rpc", new MapConfigProvider(settings));
    try (TransportContext context = new TransportContext(transport, new NoOpRpcHandler());
        TransportClientFactory clients = context.createClientFactory(
            List.of(new AuthClientBootstrap(transport, security.getSaslUser(), security)))) {
      clients.createClient(master.host(), master.port()).close();
      return false;
    } catch (IOException unreachable) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (RuntimeException e) {
      return refusedAuthentication(e);
    }
  }

  /** Whether the master refuses to look its endpoint up for a client without authentication. */
  private static boolean lookupRefused(SparkConf conf, SecurityManager security,
      RpcAddress master) {
    RpcEnv rpc = RpcEnv.create("spark-gemm-master-check", "localhost", 0, conf, security, true);
    try {
      rpc.setupEndpointRef(master, "Master");
      return false;
    } catch (Exception e) {
      return refusedAuthentication(e);
    } finally {
      rpc.shutdown();
      rpc.awaitTermination();
    }
  }

  /** Whether a failed lookup was a SASL handshake the master refused or expected. */
  private static boolean refusedAuthentication(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String text = t + " " + t.getMessage();
      if (t instanceof SaslException || text.contains("SASL") || text.contains("SaslMessage")
          || text.contains("SaslException")) {
        return true;
      }
    }
    return false;
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
    /**
     * Clears Spark's console progress bar if it is drawn (a failed job leaves it on screen, and
     * the CLI's error line would follow it on the same line), then stops the session if owned.
     */
    @Override
    public void close() {
      Option<ConsoleProgressBar> bar = spark.sparkContext().progressBar();
      if (bar.isDefined()) {
        bar.get().finishAll();
      }
      if (owned) {
        spark.stop();
      }
    }
  }
}
