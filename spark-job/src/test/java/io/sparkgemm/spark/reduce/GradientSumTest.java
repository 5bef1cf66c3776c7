package io.sparkgemm.spark.reduce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.GradientAccumulator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pass's reduction buffer on its own: leaves cut into column shards, merges that add without
 * aliasing, and shards put back together, against sums worked out by hand.
 */
class GradientSumTest {

  /** d x k = 2 x 3 with dW[i][j] = base + 10·i + j, db[j] = base + 100 + j. */
  private static GradientAccumulator gradient(double base, double loss, long rows) {
    GradientAccumulator g = new GradientAccumulator(2, 3);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        g.dw()[i * 3 + j] = base + 10 * i + j;
      }
    }
    for (int j = 0; j < 3; j++) {
      g.db()[j] = base + 100 + j;
    }
    return g.addLoss(loss, rows);
  }

  private static PartitionResult part(int leaf, GradientAccumulator g, String backend,
      double seconds, double dxSquares) {
    return new PartitionResult(leaf, g, List.of(), backend, g == null ? 0 : g.numRows(), seconds,
        dxSquares);
  }

  @Test
  void anEmptySumHoldsNothingUntilTheFirstGradient() {
    GradientSum sum = new GradientSum();
    assertThat(sum.gradient()).isNull();
    assertThat(sum.sizeBytes()).isZero();
    sum.merge(GradientSum.leaf(part(0, null, null, 0, 0), 0, 3));
    assertThat(sum.gradient()).isNull();
    assertThat(sum.backends()).isEmpty();
  }

  @Test
  void mergesAddEveryValueAndTheBookkeeping() {
    GradientSum sum = new GradientSum()
        .merge(GradientSum.leaf(part(0, gradient(1, 0.5, 4), "native", 1.5, 2), 0, 3))
        .merge(GradientSum.leaf(part(1, gradient(2, 0.25, 6), "java", 0.5, 3), 0, 3));
    GradientAccumulator g = sum.gradient().layer(0);
    // dW[i][j] = (1 + 10i + j) + (2 + 10i + j)
    assertThat(g.dw()).containsExactly(3, 5, 7, 23, 25, 27);
    assertThat(g.db()).containsExactly(203, 205, 207);
    assertThat(g.loss()).isEqualTo(0.75);
    assertThat(g.numRows()).isEqualTo(10);
    assertThat(sum.backends()).containsExactly("java", "native");
    assertThat(sum.seconds()).isEqualTo(2.0);
    assertThat(sum.dxSquares()).isEqualTo(5.0);
    // 6 values of dW and 3 of db, 8 bytes each
    assertThat(sum.sizeBytes()).isEqualTo(72);
  }

  @Test
  void mergingDoesNotModifyTheLeaves() {
    GradientAccumulator first = gradient(1, 0.5, 4);
    GradientAccumulator second = gradient(2, 0.25, 6);
    GradientSum leaf = GradientSum.leaf(part(0, first, null, 0, 0), 0, 3);
    new GradientSum().merge(leaf).merge(GradientSum.leaf(part(1, second, null, 0, 0), 0, 3));
    assertThat(first.dw()).containsExactly(1, 2, 3, 11, 12, 13);
    assertThat(first.loss()).isEqualTo(0.5);
    assertThat(second.dw()).containsExactly(2, 3, 4, 12, 13, 14);
  }

  @Test
  void addTakesAPartitionResultAsALeaf() {
    GradientSum sum = new GradientSum().add(part(0, gradient(1, 0.5, 4), "native", 1, 2))
        .add(part(1, null, null, 0, 0));
    assertThat(sum.gradient().layer(0).dw()).containsExactly(1, 2, 3, 11, 12, 13);
    assertThat(sum.backends()).containsExactly("native");
  }

  @Test
  void shardsCarryTheirColumnsAndOnlyTheFirstTheBookkeeping() {
    PartitionResult p = part(0, gradient(1, 0.5, 4), "native", 1.5, 2);
    GradientSum left = GradientSum.leaf(p, 0, 1);
    GradientSum right = GradientSum.leaf(p, 1, 3);
    assertThat(left.gradient().layer(0).dw()).containsExactly(1, 11);
    assertThat(left.gradient().layer(0).db()).containsExactly(101);
    assertThat(right.gradient().layer(0).dw()).containsExactly(2, 3, 12, 13);
    assertThat(right.gradient().layer(0).db()).containsExactly(102, 103);
    assertThat(left.backends()).containsExactly("native");
    assertThat(left.seconds()).isEqualTo(1.5);
    assertThat(right.backends()).isEmpty();
    assertThat(right.seconds()).isZero();
    assertThat(right.dxSquares()).isZero();
  }

  @Test
  void shardsReassembleIntoTheWholeSum() {
    PartitionResult a = part(0, gradient(1, 0.5, 4), "native", 1, 2);
    PartitionResult b = part(1, gradient(2, 0.25, 6), "native", 1, 3);
    int[] bounds = {0, 1, 3};
    GradientSum first = new GradientSum().merge(GradientSum.leaf(a, 0, 1))
        .merge(GradientSum.leaf(b, 0, 1));
    GradientSum second = new GradientSum().merge(GradientSum.leaf(a, 1, 3))
        .merge(GradientSum.leaf(b, 1, 3));
    GradientSum whole = GradientSum.assemble(2, 3, bounds, List.of(first, second));
    assertThat(whole.gradient().layer(0).dw()).containsExactly(3, 5, 7, 23, 25, 27);
    assertThat(whole.gradient().layer(0).db()).containsExactly(203, 205, 207);
    assertThat(whole.gradient().layer(0).loss()).isEqualTo(0.75);
    assertThat(whole.gradient().layer(0).numRows()).isEqualTo(10);
    assertThat(whole.dxSquares()).isEqualTo(5.0);
  }
}
