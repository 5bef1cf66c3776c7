package io.sparkgemm.spark.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import org.junit.jupiter.api.Test;

/**
 * The automatic block size: the most rows whose X block, array header included, fits in 4 MiB, so
 * that a cached block fills whole G1 regions instead of spilling 16 bytes into another one.
 */
class BlockSizeTest {
  /** A Java array's header with compressed class pointers. */
  private static final long HEADER = 16;

  @Test
  void aBlockAndItsHeaderFitInTheTarget() {
    for (DType dtype : DType.values()) {
      for (int d : new int[] {16, 100, 128, 256, 512, 784, 1000, 1024, 4096}) {
        int rows = InputSpec.defaultBlockRows(d, dtype);
        long bytes = (long) rows * d * dtype.bytes();
        assertThat(bytes + HEADER).as("%s d=%d: %d rows", dtype, d, rows)
            .isLessThanOrEqualTo(InputSpec.TARGET_BLOCK_BYTES);
        // one more row would not leave the header its room
        assertThat(bytes + (long) d * dtype.bytes() + InputSpec.ARRAY_HEADER_BYTES)
            .as("%s d=%d: one row more", dtype, d)
            .isGreaterThan(InputSpec.TARGET_BLOCK_BYTES);
      }
    }
  }

  @Test
  void powersOfTwoGiveOneRowLessThanExactly4MiB() {
    assertThat(InputSpec.defaultBlockRows(512, DType.FLOAT64)).isEqualTo(1023);
    assertThat(InputSpec.defaultBlockRows(1024, DType.FLOAT32)).isEqualTo(1023);
    assertThat(InputSpec.defaultBlockRows(784, DType.FLOAT64)).isEqualTo(668);
  }

  @Test
  void narrowAndWideRowsStayWithinTheRowBounds() {
    assertThat(InputSpec.defaultBlockRows(1, DType.FLOAT64)).isEqualTo(1 << 16);
    assertThat(InputSpec.defaultBlockRows(1 << 20, DType.FLOAT64)).isEqualTo(16);
  }
}
