package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Shapes, dtypes and row ids of blocks; every refusal names the numbers. */
class DenseBlockTest {

  @Test
  void rejectsNegativeShapes() {
    assertThatThrownBy(() -> DenseBlock.ofDoubles(-1, 3, new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Block shape must be non-negative, got -1x3");
    assertThatThrownBy(() -> DenseBlock.zeros(DType.FLOAT32, 2, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 2x-5");
  }

  @Test
  void rejectsShapesTooLargeForOneArray() {
    assertThatThrownBy(() -> DenseBlock.ofDoubles(100_000, 100_000, new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Block shape 100000x100000 has 10000000000 elements")
        .hasMessageContaining("more than one Java array can hold");
    // 65536 * 65536 wraps to 0 in int arithmetic; the check must not be fooled
    assertThatThrownBy(() -> DenseBlock.zeros(DType.FLOAT64, 65_536, 65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4294967296 elements");
    assertThatThrownBy(() -> new GradientAccumulator(65_536, 65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536x65536");
  }

  @Test
  void rejectsDataOfTheWrongLength() {
    assertThatThrownBy(() -> DenseBlock.ofDoubles(2, 3, new double[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Block data has 5 values but the shape 2x3 needs 6");
    assertThatThrownBy(() -> DenseBlock.ofFloats(1, 1, new float[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Block data has 2 values but the shape 1x1 needs 1");
    assertThatThrownBy(() -> DenseBlock.ofDoubles(2, 1, new double[2]).withRowIds(new long[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Block has 2 rows but 3 row ids");
    assertThatThrownBy(() -> DenseBlock.ofRows(new double[][] {{1, 2}, {3}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Ragged rows: row 0 has 2 values but row 1 has 1");
  }

  @Test
  void valuesAreRowMajorAndShared() {
    double[] values = {1, 2, 3, 4, 5, 6};
    DenseBlock block = DenseBlock.ofDoubles(2, 3, values);
    assertThat(block.get(1, 0)).isEqualTo(4);
    assertThat(block.doubles()).isSameAs(values);
    block.set(0, 2, 9);
    assertThat(values[2]).isEqualTo(9);
    assertThat(block.shape()).isEqualTo("2x3");
    assertThat(block.transpose().toRows()).isEqualTo(new double[][] {{1, 4}, {2, 5}, {9, 6}});
    assertThat(block.toString()).isEqualTo("DenseBlock(2x3, float64, [[1.0, 2.0, 9.0], "
        + "[4.0, 5.0, 6.0]])");
    assertThatThrownBy(block::floats).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Block is float64, not float32");
  }

  @Test
  void conversionsKeepRowIdsAndCopiesAreDeep() {
    long[] ids = {10, 20};
    DenseBlock block = DenseBlock.ofRows(new double[][] {{0.1}, {1e40}}).withRowIds(ids);
    assertThat(block.rowId(1)).isEqualTo(20);
    DenseBlock f = block.toDType(DType.FLOAT32);
    assertThat(f.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(f.floats()).containsExactly(0.1f, Float.POSITIVE_INFINITY);
    assertThat(f.rowIds()).containsExactly(10, 20);
    assertThat(f.toDType(DType.FLOAT64).get(0, 0)).isEqualTo((double) 0.1f);
    DenseBlock copy = block.copy();
    copy.set(0, 0, 5);
    copy.rowIds()[0] = 99;
    assertThat(block.get(0, 0)).isEqualTo(0.1);
    assertThat(block.rowId(0)).isEqualTo(10);
    assertThat(DenseBlock.zeros(DType.FLOAT64, 3, 0).rowId(2)).isEqualTo(2);
    assertThatThrownBy(f::doubles).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Block is float32, not float64");
  }

  @Test
  void dtypeNames() {
    assertThat(DType.parse(" F64 ")).isEqualTo(DType.FLOAT64);
    assertThat(DType.parse("double")).isEqualTo(DType.FLOAT64);
    assertThat(DType.parse("float")).isEqualTo(DType.FLOAT32);
    assertThat(DType.FLOAT32.label()).isEqualTo("float32");
    assertThat(DType.FLOAT32.bytes()).isEqualTo(4);
    assertThatThrownBy(() -> DType.parse("int8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown dtype 'int8': expected float64 or float32");
  }
}
