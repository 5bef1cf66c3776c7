package io.sparkgemm.spark.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.spark.reduce.OrderedTreeReduce.Reduced;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-job reduction of a pass ({@link GradientSum#collect}) merges the leaves on the driver
 * in leaf-index order, whatever the partition order: float64 values whose sum depends on the
 * order (1e16 + 1 - 1e16 ...) come out as the sequential sum in index order, and as the tree
 * with depth 1 gives them.
 */
class GradientSumCollectTest {
  static final int PARTITIONS = 5;
  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("GradientSumCollectTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /** dW (1 x 2) of leaf i: [v(i), -v(i) / 3], db [i], loss i / 2, i + 1 rows. */
  static double value(int leaf) {
    return switch (leaf) {
      case 0 -> 1.0;
      case 1 -> 1e16;
      case 2 -> 1.0;
      case 3 -> -1e16;
      default -> 0.5;
    };
  }

  /** Partition p holds leaf 4 - p: the driver receives the leaves last index first. */
  static List<PartitionResult> results(int partition) {
    int leaf = PARTITIONS - 1 - partition;
    GradientAccumulator g = new GradientAccumulator(1, 2).addLoss(leaf / 2.0, leaf + 1);
    g.dw()[0] = value(leaf);
    g.dw()[1] = -value(leaf) / 3;
    g.db()[0] = leaf;
    g.db()[1] = 1;
    return List.of(new PartitionResult(leaf, g, List.of(), "b" + leaf, leaf + 1, 0.25, leaf));
  }

  @Test
  void leavesAreMergedInIndexOrderAsTheTreeMergesThem() {
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      ids.add(p);
    }
    JavaRDD<Integer> rdd = jsc.parallelize(ids, PARTITIONS);
    Reduced<GradientSum> direct = GradientSum.collect(rdd,
        (partition, values) -> results(partition).iterator());
    JavaRDD<PartitionResult> partials = rdd.mapPartitionsWithIndex(
        (partition, values) -> results(partition).iterator(), true);
    Reduced<GradientSum> tree = GradientSum.reduce(partials, PARTITIONS, 1, new int[] {0, 2}, 1);

    // The oracle: left to right over leaf indices 0..4 from 0.0.
    double dw0 = 0;
    double dw1 = 0;
    for (int leaf = 0; leaf < PARTITIONS; leaf++) {
      dw0 += value(leaf);
      dw1 += -value(leaf) / 3;
    }
    GradientAccumulator sum = direct.sum().gradient().layer(0);
    assertThat(sum.dw()).containsExactly(dw0, dw1);
    assertThat(sum.db()).containsExactly(10, 5);
    assertThat(sum.loss()).isEqualTo(5.0);
    assertThat(sum.numRows()).isEqualTo(15);
    assertThat(direct.sum().backends()).containsExactly("b0", "b1", "b2", "b3", "b4");
    assertThat(direct.sum().seconds()).isEqualTo(1.25);
    assertThat(direct.sum().dxSquares()).isEqualTo(10);
    assertThat(direct.bytesToDriver()).isEqualTo(PARTITIONS * 8L * 4);
    assertThat(direct.finalNodes()).isEqualTo(PARTITIONS);

    GradientAccumulator viaTree = tree.sum().gradient().layer(0);
    assertThat(sum.dw()).containsExactly(viaTree.dw());
    assertThat(sum.db()).containsExactly(viaTree.db());
    assertThat(direct.bytesToDriver()).isEqualTo(tree.bytesToDriver());
  }
}
