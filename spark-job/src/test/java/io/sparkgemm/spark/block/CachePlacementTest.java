package io.sparkgemm.spark.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache figures count every block stored, however late Spark's status listener reads the
 * block reports (the bench read cached_to_raw = 0 on a loaded machine).
 */
class CachePlacementTest {
  static final int PARTITIONS = 4;
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("CachePlacementTest")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /**
   * A listener on Spark's status queue, after the status store's own, holds the queue at the
   * first block report of the cached RDD: a busy machine made deterministic. The status store
   * then knows one block of four until the queue moves on, which happens only once the figures
   * are being read (the reading thread has finished or is waiting).
   */
  @Test
  void placementCountsEveryBlockWhileTheStatusQueueLags() throws Exception {
    JavaRDD<Integer> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(IntStream.range(0, 4000).boxed().toList(), PARTITIONS)
        .persist(StorageLevel.MEMORY_ONLY());
    Hold hold = new Hold(rdd.id());
    spark.sparkContext().listenerBus().addToStatusQueue(hold);
    try {
      assertThat(rdd.count()).isEqualTo(4000);

      FutureTask<CacheLevels.Placement> read = new FutureTask<>(
          () -> CacheLevels.placement(rdd, "MEMORY_ONLY"));
      Thread reader = new Thread(read, "placement reader");
      reader.start();
      while (!read.isDone() && reader.getState() != Thread.State.WAITING
          && reader.getState() != Thread.State.TIMED_WAITING) {
        Thread.onSpinWait();
      }
      hold.release.countDown();
      CacheLevels.Placement placement = read.get(120, TimeUnit.SECONDS);

      assertThat(hold.held).as("the status queue was held at a block report").isTrue();
      assertThat(placement.partitions()).isEqualTo(PARTITIONS);
      assertThat(placement.cachedPartitions()).as(placement.describe()).isEqualTo(PARTITIONS);
      assertThat(placement.memoryBytes()).as(placement.describe()).isPositive();
      assertThat(placement.diskBytes()).as(placement.describe()).isZero();
    } finally {
      hold.release.countDown();
      spark.sparkContext().removeSparkListener(hold);
      rdd.unpersist(true);
    }
  }

  /** Holds its queue at the first block report of RDD {@code rddId} until released. */
  private static final class Hold extends SparkListener {
    final int rddId;
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean held = new AtomicBoolean();

    Hold(int rddId) {
      this.rddId = rddId;
    }

    @Override
    public void onBlockUpdated(SparkListenerBlockUpdated update) {
      if (update.blockUpdatedInfo().blockId() instanceof RDDBlockId block
          && block.rddId() == rddId && !held.getAndSet(true)) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
