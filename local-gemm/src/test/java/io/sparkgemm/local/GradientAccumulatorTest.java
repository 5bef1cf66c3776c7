package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Column shards of a gradient: cut and put back, value for value. */
class GradientAccumulatorTest {

  private static GradientAccumulator random(int d, int k, long seed) {
    Random random = new Random(seed);
    GradientAccumulator acc = new GradientAccumulator(d, k);
    for (int i = 0; i < acc.dw().length; i++) {
      acc.dw()[i] = random.nextGaussian();
    }
    for (int j = 0; j < k; j++) {
      acc.db()[j] = random.nextGaussian();
    }
    return acc.addLoss(3.5, 17);
  }

  @Test
  void aColumnShardHoldsThoseColumnsOfDwAndDb() {
    GradientAccumulator acc = random(5, 7, 1L);
    GradientAccumulator shard = acc.columns(2, 6);
    assertThat(shard.inFeatures()).isEqualTo(5);
    assertThat(shard.outFeatures()).isEqualTo(4);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        assertThat(shard.dw()[i * 4 + j]).isEqualTo(acc.dw()[i * 7 + 2 + j]);
      }
    }
    for (int j = 0; j < 4; j++) {
      assertThat(shard.db()[j]).isEqualTo(acc.db()[2 + j]);
    }
    assertThat(shard.loss()).isEqualTo(3.5);
    assertThat(shard.numRows()).isEqualTo(17);
  }

  @Test
  void shardsPutBackRebuildTheGradientBitForBit() {
    GradientAccumulator acc = random(6, 10, 2L);
    GradientAccumulator rebuilt = new GradientAccumulator(6, 10);
    int[] bounds = {0, 3, 4, 10};
    for (int s = 0; s + 1 < bounds.length; s++) {
      rebuilt.setColumns(bounds[s], acc.columns(bounds[s], bounds[s + 1]));
    }
    assertThat(rebuilt.dw()).containsExactly(acc.dw());
    assertThat(rebuilt.db()).containsExactly(acc.db());
  }

  @Test
  void shardsOutsideTheColumnsAreRefused() {
    GradientAccumulator acc = random(2, 3, 3L);
    assertThatThrownBy(() -> acc.columns(2, 4)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("Columns [2, 4) of a gradient with 3 columns");
    assertThatThrownBy(() -> acc.setColumns(1, new GradientAccumulator(3, 1)))
        .hasMessageContaining("3 rows does not fit dW with 2");
  }
}
