package io.sparkgemm.local.backend;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.TestBackends;
import io.sparkgemm.local.Trans;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every backend rejects bad GEMM arguments before any kernel runs, naming the numbers. */
class GemmArgumentsTest {

  @BeforeAll
  static void loadBackends() {
    TestBackends.blas();
  }

  static Stream<String> backends() {
    return Stream.of("native", "java", "reference", "cuda");
  }

  // a: 3x4, b: 4x2, c: 3x2 (row-major, tight strides) unless a test says otherwise
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void leadingDimensionSmallerThanStoredColumns(String name) {
    GemmBackend backend = TestBackends.byName(name);
    assertThatThrownBy(() -> backend.dgemm(Trans.N, Trans.N, 3, 2, 4, 1.0, new double[12], 0, 3,
        new double[8], 0, 2, 0.0, new double[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand a is stored 3x4")
        .hasMessageContaining("leading dimension is 3 (must be >= max(1, 4))");
    // bᵀ is 4x2, so b is stored 2x4 and needs ldb >= 4
    assertThatThrownBy(() -> backend.dgemm(Trans.N, Trans.T, 3, 2, 4, 1.0, new double[12], 0, 4,
        new double[8], 0, 2, 0.0, new double[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand b is stored 2x4")
        .hasMessageContaining("leading dimension is 2");
    assertThatThrownBy(() -> backend.sgemm(Trans.N, Trans.N, 3, 2, 4, 1f, new float[12], 0, 4,
        new float[8], 0, 2, 0f, new float[6], 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand c is stored 3x2")
        .hasMessageContaining("leading dimension is 1 (must be >= max(1, 2))");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void arrayTooShortForShapeStrideAndOffset(String name) {
    GemmBackend backend = TestBackends.byName(name);
    assertThatThrownBy(() -> backend.dgemm(Trans.N, Trans.N, 3, 2, 4, 1.0, new double[11], 0, 4,
        new double[8], 0, 2, 0.0, new double[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand a")
        .hasMessageContaining("needs 12 values, but its array has 11");
    assertThatThrownBy(() -> backend.dgemm(Trans.N, Trans.N, 3, 2, 4, 1.0, new double[12], 0, 4,
        new double[8], 1, 2, 0.0, new double[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand b")
        .hasMessageContaining("at offset 1, which needs 9 values, but its array has 8");
    // c with stride 5: (3 - 1) * 5 + 2 = 12 values
    assertThatThrownBy(() -> backend.sgemm(Trans.N, Trans.N, 3, 2, 4, 1f, new float[12], 0, 4,
        new float[8], 0, 2, 0f, new float[11], 0, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand c")
        .hasMessageContaining("needs 12 values, but its array has 11");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void negativeDimensionsOffsetsAndNullArrays(String name) {
    GemmBackend backend = TestBackends.byName(name);
    assertThatThrownBy(() -> backend.dgemm(Trans.N, Trans.N, -1, 2, 4, 1.0, new double[12], 0, 4,
        new double[8], 0, 2, 0.0, new double[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be non-negative, got m=-1 n=2 k=4");
    assertThatThrownBy(() -> backend.dgemm(Trans.N, Trans.N, 3, 2, 4, 1.0, new double[12], -1, 4,
        new double[8], 0, 2, 0.0, new double[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand a has negative offset -1");
    assertThatThrownBy(() -> backend.sgemm(Trans.N, Trans.N, 3, 2, 4, 1f, new float[12], 0, 4,
        null, 0, 2, 0f, new float[6], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operand b is null");
  }

  @Test
  void blockGemmNamesAllThreeShapes() {
    GemmBackend backend = TestBackends.nativeBlas();
    DenseBlock a = DenseBlock.zeros(DType.FLOAT64, 3, 2);
    DenseBlock b = DenseBlock.zeros(DType.FLOAT64, 3, 4);
    DenseBlock c = DenseBlock.zeros(DType.FLOAT64, 3, 4);
    assertThatThrownBy(() -> backend.gemm(Trans.N, Trans.N, 1.0, a, b, 0.0, c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a 3x2")
        .hasMessageContaining("b 3x4")
        .hasMessageContaining("c 3x4")
        .hasMessageContaining("k=2 vs 3");
    DenseBlock f = DenseBlock.zeros(DType.FLOAT32, 2, 4);
    assertThatThrownBy(() -> backend.gemm(Trans.N, Trans.N, 1.0, a, f, 0.0, c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mixed dtype: a is float64, b is float32, c is float64");
  }
}
