package io.sparkgemm.spark.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TreeDepthTest {
  static final long MB = 1L << 20;

  @Test
  void fewSmallPartitionsReduceInOneLevel() {
    assertThat(TreeDepth.choose(4, 8 * MB, 1024 * MB)).isEqualTo(1);
  }

  @Test
  void manyPartitionsOrLargeGradientsGetDeeperTrees() {
    assertThat(TreeDepth.choose(200, 1 * MB, 1024 * MB)).isEqualTo(2);
    // 64 MB gradients from 1000 partitions: the driver may take at most 256 MB per pass.
    int depth = TreeDepth.choose(1000, 64 * MB, 1024 * MB);
    assertThat(TreeDepth.bytesToDriver(1000, depth, 64 * MB)).isLessThanOrEqualTo(256 * MB);
    assertThat(depth).isGreaterThan(2);
  }

  @Test
  void aSmallMaxResultSizeLowersTheBudget() {
    // 64 partials of 16 MB would be 1 GB at the driver; the deepest tree leaves 3 (48 MB), under
    // the 64 MB limit though above the half-limit budget it aims for.
    int depth = TreeDepth.choose(64, 16 * MB, 64 * MB);
    assertThat(depth).isGreaterThan(2);
    assertThat(TreeDepth.bytesToDriver(64, depth, 16 * MB)).isEqualTo(48 * MB);
  }

  @Test
  void smallSumsGoStraightToTheDriverWhileTheyFit() {
    assertThat(TreeDepth.forSmallSums(10_000, 24, 256 * MB)).isEqualTo(1);
    // 1000 partitions' moments of 100,000 columns (1.6 MB each): 1.6 GB, over the budget
    assertThat(TreeDepth.forSmallSums(1000, 1_600_008, 256 * MB))
        .isEqualTo(TreeDepth.chooseWithin(1000, 1_600_008, 256 * MB)).isGreaterThan(1);
  }

  @Test
  void finalPartitionsFollowTheLevelling() {
    assertThat(TreeDepth.finalPartitions(100, 1)).isEqualTo(100);
    // scale 10: 100 -> 10 sums for the driver
    assertThat(TreeDepth.finalPartitions(100, 2)).isEqualTo(10);
    assertThat(TreeDepth.finalPartitions(3, 2)).isEqualTo(3);
  }
}
