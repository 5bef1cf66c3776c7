package io.sparkgemm.spark.pass;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.CacheLevels;
import io.sparkgemm.spark.block.LabeledBlock;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.CleanerListener;
import org.apache.spark.ContextCleaner;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A pass's broadcasts of W and b, destroyed when the pass is released, are later found by Spark's
 * ContextCleaner once garbage-collected; cleaning them must not fail (no ERROR, as
 * {@code spark-gemm bench} printed: "Error cleaning broadcast N ... does not exist"), and
 * without the warnings of two removals of one block.
 */
class BroadcastCleanupTest {
  static final int N = 40;
  static final int D = 3;
  /** Outputs: W (D x K float64) just over what a pass ships in its tasks, so it is broadcast. */
  static final int K = (int) (TaskParams.SHIPPED_THETA_BYTES / (8 * D)) + 1;

  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("BroadcastCleanupTest")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /**
   * The worst case of garbage-collection timing, made deterministic: the cleaner's removal runs
   * the instant each pass is released. Before the fix the pass's removal was still under way then
   * (its blocks still listed), and the two removals of one block warned ("Asked to remove block
   * ..., which does not exist") or failed ("Block broadcast_N_piece0 does not exist").
   */
  @Test
  void releasedPassLeavesNothingForTheCleanerToRemove() {
    ContextCleaner cleaner = spark.sparkContext().cleaner().get();
    BlockedInput input = input();
    Events events = Events.attach();
    try {
      runPasses(input, 10, cast -> {
        assertThat(blocksOf(cast.id())).as("blocks of broadcast %d once the pass is released",
            cast.id()).isEmpty();
        cleaner.doCleanupBroadcast(cast.id(), true);
      });
      assertThat(events.fromStorageOrCleaner(Level.WARN)).as("WARN or ERROR from Spark's "
          + "block managers and ContextCleaner").isEmpty();
      assertThat(events.atLeast(Level.ERROR)).as("ERROR events").isEmpty();
    } finally {
      events.detach();
      input.release();
    }
  }

  /** Bench-like: many passes, then the garbage collector and Spark's ContextCleaner. */
  @Test
  void garbageCollectedBroadcastsAreCleanedWithoutError() throws Exception {
    Set<Long> cleaned = ConcurrentHashMap.newKeySet();
    spark.sparkContext().cleaner().get().attachListener(new Cleaned(cleaned));
    BlockedInput input = input();
    Events events = Events.attach();
    try {
      List<WeakReference<Broadcast<?>>> casts = new ArrayList<>();
      List<Long> ids = new ArrayList<>();
      runPasses(input, 30, cast -> {
        casts.add(new WeakReference<>(cast));
        ids.add(cast.id());
      });

      // Wait for the facts: every broadcast unreachable and collected, then every one of them
      // cleaned or failed to clean (the cleaner logs an ERROR instead of calling its listener).
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (casts.stream().anyMatch(c -> c.get() != null)) {
        assertThat(System.nanoTime()).as("broadcasts still reachable").isLessThan(deadline);
        System.gc();
        Thread.sleep(20);
      }
      while (!ids.stream().allMatch(id -> cleaned.contains(id) || events.mention(id))) {
        assertThat(System.nanoTime()).as("the cleaner did not process broadcasts %s (cleaned: "
            + "%s)", ids, cleaned).isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(events.fromStorageOrCleaner(Level.WARN)).as("WARN or ERROR from Spark's "
          + "block managers and ContextCleaner").isEmpty();
      assertThat(events.atLeast(Level.ERROR)).as("ERROR events").isEmpty();
      assertThat(cleaned).containsAll(ids);
    } finally {
      events.detach();
      input.release();
    }
  }

  /**
   * Passes one after another, each checked and released as soon as it is read; {@code released}
   * sees each pass's broadcasts after its release.
   */
  private static void runPasses(BlockedInput input, int passes,
      Consumer<Broadcast<?>> released) {
    DenseBlock w = DenseBlock.zeros(DType.FLOAT64, D, K);
    double[] wv = w.doubles();
    for (int i = 0; i < wv.length; i++) {
      wv[i] = i + 1;
    }
    double[] b = new double[K];
    Arrays.fill(b, 0.5);
    PassSpec spec = PassSpec.backward(Loss.SUM)
        .dtype(DType.FLOAT64).backend(BackendOptions.named("native")).build();
    for (int p = 0; p < passes; p++) {
      PassResult pass = LinearPass.run(spark, input, Theta.linear(w, b), spec);
      // The sum head's G is all ones: dW[i][j] = sum over rows of x[r][i], db[j] = N.
      double[] dw = pass.gradient().layer(0).dw();
      for (int i = 0; i < D; i++) {
        double column = 0;
        for (int r = 0; r < N; r++) {
          column += x(r, i);
        }
        for (int j = 0; j < K; j++) {
          assertThat(dw[i * K + j]).isEqualTo(column);
        }
      }
      double[] ones = new double[K];
      Arrays.fill(ones, N);
      assertThat(pass.gradient().layer(0).db()).containsExactly(ones);
      assertThat(pass.broadcasts()).as("the pass's broadcast of θ").hasSize(1);
      pass.close();
      pass.broadcasts().forEach(released);
    }
  }

  /** The driver's blocks of broadcast {@code id} (its value and its pieces). */
  private static List<BlockId> blocksOf(long id) {
    return CollectionConverters.asJava(SparkEnv.get().blockManager().getMatchingBlockIds(
        block -> block instanceof BroadcastBlockId cast && cast.broadcastId() == id));
  }

  /** X[r][c] = r + c / 4 (sums exact in float64) in blocks of 8 rows, 3 partitions. */
  private static BlockedInput input() {
    int blockRows = 8;
    int numBlocks = (N + blockRows - 1) / blockRows;
    JavaRDD<LabeledBlock> blocks = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(LongStream.range(0, numBlocks).boxed().toList(), 3).map(index -> {
          int from = (int) (index * blockRows);
          int rows = Math.min(blockRows, N - from);
          DenseBlock x = DenseBlock.zeros(DType.FLOAT64, rows, D);
          long[] rowIds = new long[rows];
          for (int r = 0; r < rows; r++) {
            rowIds[r] = from + r;
            for (int c = 0; c < D; c++) {
              x.doubles()[r * D + c] = x(from + r, c);
            }
          }
          return new LabeledBlock(x.withRowIds(rowIds), null, null, null);
        }).persist(StorageLevel.MEMORY_AND_DISK());
    blocks.count();
    return BlockedInput.builder(blocks).shape(N, D).blocking(blockRows, numBlocks)
        .cache(CacheLevels.placement(blocks, CacheLevels.DEFAULT)).build();
  }

  private static double x(int r, int c) {
    return r + c / 4.0;
  }

  /** Records the broadcasts the ContextCleaner cleaned without error. */
  private record Cleaned(Set<Long> broadcasts) implements CleanerListener {
    @Override
    public void broadcastCleaned(long broadcastId) {
      broadcasts.add(broadcastId);
    }

    @Override
    public void rddCleaned(int rddId) {
    }

    @Override
    public void shuffleCleaned(int shuffleId) {
    }

    @Override
    public void accumCleaned(long accId) {
    }

    @Override
    public void checkpointCleaned(long rddId) {
    }
  }

  /** WARN and ERROR events of every logger while attached. */
  private static final class Events extends AbstractAppender {
    final List<LogEvent> events = new CopyOnWriteArrayList<>();

    private Events() {
      super("test-events", null, null, true, Property.EMPTY_ARRAY);
    }

    static Events attach() {
      Events events = new Events();
      events.start();
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      context.getConfiguration().getRootLogger().addAppender(events, Level.WARN, null);
      context.updateLoggers();
      return events;
    }

    void detach() {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      context.getConfiguration().getRootLogger().removeAppender(getName());
      context.updateLoggers();
      stop();
    }

    List<String> atLeast(Level level) {
      return events.stream().filter(e -> e.getLevel().isMoreSpecificThan(level))
          .map(Events::line).toList();
    }

    List<String> fromStorageOrCleaner(Level level) {
      return events.stream().filter(e -> e.getLevel().isMoreSpecificThan(level)
          && (e.getLoggerName().startsWith("org.apache.spark.storage.")
          || e.getLoggerName().equals("org.apache.spark.ContextCleaner")))
          .map(Events::line).toList();
    }

    boolean mention(long broadcastId) {
      return events.stream().anyMatch(e -> e.getLevel().isMoreSpecificThan(Level.ERROR)
          && e.getMessage().getFormattedMessage().matches("(?s).*\\bbroadcast " + broadcastId
          + "\\b.*"));
    }

    private static String line(LogEvent e) {
      return e.getLevel() + " " + e.getLoggerName() + ": " + e.getMessage().getFormattedMessage();
    }

    @Override
    public void append(LogEvent event) {
      events.add(event.toImmutable());
    }
  }
}
