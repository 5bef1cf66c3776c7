package io.sparkgemm.spark.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.spark.reduce.OrderedTreeReduce.Node;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Reduced;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * The ordered tree with toy buffers: a trace that records every merge (so the tree's shape and
 * order are visible) and exact integer sums. Leaves arrive from partitions in a scrambled order,
 * later indices first; the result depends only on the indices.
 */
class OrderedTreeReduceTest {
  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("OrderedTreeReduceTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /** Records merges: a node that merged a, b, c reads "[a b c]"; a leaf is its own text. */
  static final class Trace implements Mergeable<Trace> {
    private static final long serialVersionUID = 1L;
    private String text;

    Trace(String text) {
      this.text = text;
    }

    @Override
    public Trace merge(Trace other) {
      text = text.isEmpty() ? "[" + other.text + "]"
          : text.substring(0, text.length() - 1) + " " + other.text + "]";
      return this;
    }

    @Override
    public long sizeBytes() {
      return text.length();
    }
  }

  /** Exact sums of integers (no rounding, so any order gives the same total). */
  static final class Count implements Mergeable<Count> {
    private static final long serialVersionUID = 1L;
    private long sum;

    Count(long sum) {
      this.sum = sum;
    }

    @Override
    public Count merge(Count other) {
      sum += other.sum;
      return this;
    }

    @Override
    public long sizeBytes() {
      return 8;
    }
  }

  /**
   * Leaves 0..count-1 as text, spread over 3 partitions in a shuffled order, each partition
   * emitting its leaves in reverse and the partition holding the highest indices finishing first.
   */
  private static JavaPairRDD<Integer, Trace> traces(int count, long seed) {
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      indices.add(i);
    }
    Collections.shuffle(indices, new Random(seed));
    return jsc.parallelize(indices, 3).mapPartitions(it -> {
      List<Integer> mine = new ArrayList<>();
      it.forEachRemaining(mine::add);
      mine.sort(Collections.reverseOrder());
      long slowest = 3L * count;
      Thread.sleep(mine.isEmpty() ? 0 : slowest - 3L * mine.get(0));
      List<Tuple2<Integer, Trace>> out = new ArrayList<>();
      for (int i : mine) {
        out.add(new Tuple2<>(i, new Trace(Integer.toString(i))));
      }
      return out.iterator();
    }).mapToPair(t -> t);
  }

  private static String reduce(int count, int depth, long seed) {
    return OrderedTreeReduce.reduceByIndex(traces(count, seed), count, depth,
        () -> new Trace("")).sum().text;
  }

  @Test
  void depthOneMergesEveryLeafOnTheDriverInIndexOrder() {
    assertThat(reduce(9, 1, 1)).isEqualTo("[0 1 2 3 4 5 6 7 8]");
  }

  @Test
  void deeperTreesMergeConsecutiveIndicesPerNode() {
    // 9 leaves, depth 2: fan-in ⌈√9⌉ = 3, nodes {0,1,2} {3,4,5} {6,7,8}, then the driver.
    assertThat(reduce(9, 2, 2)).isEqualTo("[[0 1 2] [3 4 5] [6 7 8]]");
    // 10 leaves, depth 2: fan-in ⌈√10⌉ = 4, nodes {0..3} {4..7} {8,9}.
    assertThat(reduce(10, 2, 3)).isEqualTo("[[0 1 2 3] [4 5 6 7] [8 9]]");
    // 27 leaves, depth 3: fan-in 3, two levels of nodes before the driver.
    StringBuilder expected = new StringBuilder("[");
    for (int top = 0; top < 3; top++) {
      expected.append(top == 0 ? "[" : " [");
      for (int mid = 0; mid < 3; mid++) {
        int first = 9 * top + 3 * mid;
        expected.append(mid == 0 ? "" : " ").append("[").append(first).append(' ')
            .append(first + 1).append(' ').append(first + 2).append(']');
      }
      expected.append(']');
    }
    assertThat(reduce(27, 3, 4)).isEqualTo(expected.append(']').toString());
  }

  @Test
  void theOrderDoesNotDependOnHowLeavesArrive() {
    for (int depth = 1; depth <= 3; depth++) {
      String first = reduce(20, depth, 0);
      for (long seed = 1; seed <= 4; seed++) {
        assertThat(reduce(20, depth, seed)).as("depth %d, shuffle %d", depth, seed)
            .isEqualTo(first);
      }
    }
  }

  @Test
  void missingIndicesAreSkipped() {
    JavaPairRDD<Integer, Trace> leaves = traces(6, 5).filter(t -> t._1() % 2 == 1);
    assertThat(OrderedTreeReduce.reduceByIndex(leaves, 6, 1, () -> new Trace("")).sum().text)
        .isEqualTo("[1 3 5]");
    assertThat(OrderedTreeReduce.reduceByIndex(leaves.filter(t -> false), 6, 2,
        () -> new Trace("")).sum().text).isEmpty();
  }

  @Test
  void shardsRunThroughTheSameTreeSeparately() {
    // Leaf i holds i in shard 0 and 1000·i in shard 1: Σ i = 4950 over 100 leaves.
    List<Tuple2<Node, Count>> leaves = new ArrayList<>();
    for (int i = 99; i >= 0; i--) {
      leaves.add(new Tuple2<>(new Node(0, i), new Count(i)));
      leaves.add(new Tuple2<>(new Node(1, i), new Count(1000L * i)));
    }
    for (int depth = 1; depth <= 4; depth++) {
      Reduced<Count> reduced = OrderedTreeReduce.reduce(
          jsc.parallelizePairs(leaves, 4), 100, depth, 2, () -> new Count(0));
      assertThat(reduced.shards()).hasSize(2);
      assertThat(reduced.shards().get(0).sum).as("depth %d", depth).isEqualTo(4950);
      assertThat(reduced.shards().get(1).sum).as("depth %d", depth).isEqualTo(4_950_000);
      assertThat(reduced.finalNodes()).isEqualTo(2);
      assertThat(reduced.bytesToDriver()).as("each shard once").isEqualTo(16);
    }
  }

  @Test
  void unshardedBytesCountEveryBufferTheDriverCollects() {
    // 9 leaves at depth 2: the driver collects 3 nodes of 8 bytes each.
    List<Tuple2<Integer, Count>> leaves = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      leaves.add(new Tuple2<>(i, new Count(i + 1)));
    }
    Reduced<Count> reduced = OrderedTreeReduce.reduceByIndex(jsc.parallelizePairs(leaves, 3), 9,
        2, () -> new Count(0));
    assertThat(reduced.sum().sum).isEqualTo(45);
    assertThat(reduced.finalNodes()).isEqualTo(3);
    assertThat(reduced.bytesToDriver()).isEqualTo(24);
  }

  @Test
  void reducedPartitionsAreLeavesInPartitionOrder() {
    // Partition p holds p and finishes after 10·(5 - p) ms: the last one first.
    JavaRDD<Integer> rdd = jsc.parallelize(List.of(0, 1, 2, 3, 4, 5), 6).map(p -> {
      Thread.sleep(10L * (5 - p));
      return p;
    });
    assertThat(OrderedTreeReduce.reducePartitions(rdd, it -> new Trace("p" + it.next()), 1,
        () -> new Trace("")).text).isEqualTo("[p0 p1 p2 p3 p4 p5]");
    // depth 2: fan-in ⌈√6⌉ = 3, nodes {0,1,2} {3,4,5}
    assertThat(OrderedTreeReduce.reducePartitions(rdd, it -> new Trace("p" + it.next()), 2,
        () -> new Trace("")).text).isEqualTo("[[p0 p1 p2] [p3 p4 p5]]");
  }

  @Test
  void shardBoundsAreAsEvenAsIntegersAllow() {
    assertThat(OrderedTreeReduce.shardBounds(10, 1)).containsExactly(0, 10);
    assertThat(OrderedTreeReduce.shardBounds(10, 3)).containsExactly(0, 3, 6, 10);
    // More shards than columns: one column each.
    assertThat(OrderedTreeReduce.shardBounds(2, 5)).containsExactly(0, 1, 2);
  }
}
