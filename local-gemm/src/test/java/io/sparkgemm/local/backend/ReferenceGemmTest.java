package io.sparkgemm.local.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Trans;
import org.junit.jupiter.api.Test;

/** The oracle itself, against products worked out by hand (small integers, so exact). */
class ReferenceGemmTest {
  private static final ReferenceGemm REF = ReferenceGemm.INSTANCE;
  // a = [[1, 2], [3, 4]]   b = [[5, 6], [7, 8]]
  private static final double[] A = {1, 2, 3, 4};
  private static final double[] B = {5, 6, 7, 8};

  private static double[] product(Trans ta, Trans tb) {
    double[] c = new double[4];
    REF.dgemm(ta, tb, 2, 2, 2, 1.0, A, 0, 2, B, 0, 2, 0.0, c, 0, 2);
    return c;
  }

  @Test
  void allFourTransposeCombinations() {
    assertThat(product(Trans.N, Trans.N)).containsExactly(19, 22, 43, 50);   // a b
    assertThat(product(Trans.T, Trans.N)).containsExactly(26, 30, 38, 44);   // aᵀ b
    assertThat(product(Trans.N, Trans.T)).containsExactly(17, 23, 39, 53);   // a bᵀ
    assertThat(product(Trans.T, Trans.T)).containsExactly(23, 31, 34, 46);   // aᵀ bᵀ = (b a)ᵀ
  }

  @Test
  void nonSquareProduct() {
    // [[1, 2, 3], [4, 5, 6]] (2x3) times [1, 0, -1]ᵀ (3x1)
    double[] c = new double[2];
    REF.dgemm(Trans.N, Trans.N, 2, 1, 3, 1.0, new double[] {1, 2, 3, 4, 5, 6}, 0, 3,
        new double[] {1, 0, -1}, 0, 1, 0.0, c, 0, 1);
    assertThat(c).containsExactly(-2, -2);
    // the same a stored transposed (3x2): [[1, 4], [2, 5], [3, 6]]
    REF.dgemm(Trans.T, Trans.N, 2, 1, 3, 1.0, new double[] {1, 4, 2, 5, 3, 6}, 0, 2,
        new double[] {1, 0, -1}, 0, 1, 0.0, c, 0, 1);
    assertThat(c).containsExactly(-2, -2);
  }

  @Test
  void alphaAndBetaScaleAndAccumulate() {
    double[] c = {1, 1, 1, 1};
    REF.dgemm(Trans.N, Trans.N, 2, 2, 2, 2.0, A, 0, 2, B, 0, 2, 1.0, c, 0, 2);
    assertThat(c).containsExactly(39, 45, 87, 101);
    double[] d = {1, 2, 3, 4};
    REF.dgemm(Trans.N, Trans.N, 2, 2, 2, 1.0, A, 0, 2, B, 0, 2, -1.0, d, 0, 2);
    assertThat(d).containsExactly(18, 20, 40, 46);
  }

  @Test
  void stridesAndOffsetsSkipPadding() {
    // a at offset 1 with stride 3 (padding 99), b at offset 2 with stride 2, c at offset 1 stride 3
    double[] a = {99, 1, 2, 99, 3, 4, 99};
    double[] b = {99, 99, 5, 6, 7, 8};
    double[] c = {-1, 0, 0, -1, 0, 0, -1};
    REF.dgemm(Trans.N, Trans.N, 2, 2, 2, 1.0, a, 1, 3, b, 2, 2, 0.0, c, 1, 3);
    assertThat(c).containsExactly(-1, 19, 22, -1, 43, 50, -1);
  }

  @Test
  void emptyAndDegenerateProducts() {
    // k = 0: c = beta c, a and b are not read
    double[] c = {1, 2, 3, 4};
    REF.dgemm(Trans.N, Trans.N, 2, 2, 0, 1.0, new double[0], 0, 1, new double[0], 0, 2, 3.0, c,
        0, 2);
    assertThat(c).containsExactly(3, 6, 9, 12);
    // alpha = 0 does not read a or b (NaN there stays out of c)
    double[] nan = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    REF.dgemm(Trans.N, Trans.N, 2, 2, 2, 0.0, nan, 0, 2, nan, 0, 2, 1.0, c, 0, 2);
    assertThat(c).containsExactly(3, 6, 9, 12);
    // beta = 0 overwrites NaN in c
    double[] d = nan.clone();
    REF.dgemm(Trans.N, Trans.N, 2, 2, 2, 1.0, A, 0, 2, B, 0, 2, 0.0, d, 0, 2);
    assertThat(d).containsExactly(19, 22, 43, 50);
    // m = 0: nothing to do, even with an empty c
    REF.dgemm(Trans.N, Trans.N, 0, 2, 2, 1.0, new double[0], 0, 2, B, 0, 2, 0.0, new double[0],
        0, 2);
  }

  @Test
  void singlePrecisionIsExactOnSmallIntegers() {
    float[] c = {1, 1, 1, 1};
    REF.sgemm(Trans.T, Trans.N, 2, 2, 2, 2f, new float[] {1, 2, 3, 4}, 0, 2,
        new float[] {5, 6, 7, 8}, 0, 2, 1f, c, 0, 2);
    assertThat(c).containsExactly(53, 61, 77, 89);
  }

  @Test
  void blockGemmUsesTheBlockShapes() {
    DenseBlock a = DenseBlock.ofRows(new double[][] {{1, 2}, {3, 4}, {5, 6}});
    DenseBlock b = DenseBlock.ofRows(new double[][] {{1, 0, -1}, {0, 1, 1}});
    DenseBlock c = DenseBlock.zeros(DType.FLOAT64, 3, 3);
    REF.gemm(Trans.N, Trans.N, 1.0, a, b, 0.0, c);
    assertThat(c.toRows()).isEqualTo(new double[][] {{1, 2, 1}, {3, 4, 1}, {5, 6, 1}});
    // aᵀ a (2x2)
    DenseBlock ata = DenseBlock.zeros(DType.FLOAT64, 2, 2);
    REF.gemm(Trans.T, Trans.N, 1.0, a, a, 0.0, ata);
    assertThat(ata.toRows()).isEqualTo(new double[][] {{35, 44}, {44, 56}});
    DenseBlock f = a.toDType(DType.FLOAT32);
    DenseBlock aat = DenseBlock.zeros(DType.FLOAT32, 3, 3);
    REF.gemm(Trans.N, Trans.T, 1.0, f, f, 0.0, aat);
    assertThat(aat.floats()).containsExactly(5, 11, 17, 11, 25, 39, 17, 39, 61);
  }
}
