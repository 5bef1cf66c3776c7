package io.sparkgemm.spark.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The seeded order of a unit's rows and the step windows cut from it. */
class RowSliceTest {

  @Test
  void anOrderIsAPermutationFixedBySeedEpochUnitAndSize() {
    for (int size : new int[] {0, 1, 2, 7, 1000}) {
      int[] order = RowSlice.order(5, 0, 3, size);
      int[] sorted = order.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < size; i++) {
        assertThat(sorted[i]).isEqualTo(i);
      }
      assertThat(RowSlice.order(5, 0, 3, size)).isEqualTo(order);
    }
    int[] base = RowSlice.order(5, 0, 3, 1000);
    assertThat(RowSlice.order(6, 0, 3, 1000)).isNotEqualTo(base);
    assertThat(RowSlice.order(5, 1, 3, 1000)).isNotEqualTo(base);
    assertThat(RowSlice.order(5, 0, 4, 1000)).isNotEqualTo(base);
  }

  @Test
  void theStepsOfAnEpochCoverEveryPositionOnceInSortedWindows() {
    int size = 1003;
    int steps = 7;
    int[] seen = new int[size];
    int total = 0;
    for (int s = 0; s < steps; s++) {
      RowSlice slice = new RowSlice(9, 2, s, steps, 1);
      int[] mine = slice.positions(4, size);
      // ⌊(s+1)·n/S⌋ − ⌊s·n/S⌋ rows
      assertThat(mine).hasSize((s + 1) * size / steps - s * size / steps)
          .hasSize(RowSlice.count(size, s, steps));
      assertThat(mine).isSorted();
      for (int p : mine) {
        seen[p]++;
      }
      total += mine.length;
    }
    assertThat(total).isEqualTo(size);
    assertThat(seen).containsOnly(1);
  }

  @Test
  void aStepMustBeWithinTheEpoch() {
    assertThatThrownBy(() -> new RowSlice(1, 0, 3, 3, 10))
        .hasMessageContaining("Step 3 of 3 steps per epoch");
    assertThatThrownBy(() -> new RowSlice(1, -1, 0, 3, 10))
        .hasMessageContaining("epoch must be >= 0");
  }
}
