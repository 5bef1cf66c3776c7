package io.sparkgemm.local.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkgemm.local.Approx;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each head's loss share and g = dL/dy against formulas worked out in the test. */
class LossHeadsTest {
  // y: 2x2, one block of a batch of n rows (n given to the head, not taken from the block)
  private static final DenseBlock Y = DenseBlock.ofRows(new double[][] {{1, 2}, {3, -4}});

  private static DenseBlock gradientFor(DenseBlock y) {
    return DenseBlock.zeros(y.dtype(), y.numRows(), y.numCols());
  }

  @Test
  void sumIsTheTotalWithUnitGradient() {
    DenseBlock g = gradientFor(Y);
    assertThat(LossHeads.of("sum", 10).lossAndGradient(Y, null, g)).isEqualTo(2.0);
    assertThat(g.doubles()).containsOnly(1.0);
  }

  @Test
  void meanDividesByTheGlobalRowCountNotTheBlockRows() {
    DenseBlock g = gradientFor(Y);
    LossHead mean = LossHeads.of("mean", 10);
    assertThat(mean.needsLabels()).isFalse();
    assertThat(mean.lossAndGradient(Y, null, g)).isCloseTo(0.2, within(1e-15));
    assertThat(g.doubles()).containsOnly(0.1);
  }

  @Test
  void mseAgainstTargets() {
    DenseBlock t = DenseBlock.ofRows(new double[][] {{0, 2}, {1, -1}});
    DenseBlock g = gradientFor(Y);
    // errors [[1, 0], [2, -3]]: sum of squares 14, n = 4
    double loss = LossHeads.of("mse", 4).lossAndGradient(Y, Labels.targets(t), g);
    assertThat(loss).isCloseTo(14.0 / 4, within(1e-15));
    assertThat(g.toRows()).isEqualTo(new double[][] {{0.5, 0}, {1, -1.5}});
  }

  @Test
  void softmaxCrossEntropyOnASmallCase() {
    DenseBlock y = DenseBlock.ofRows(new double[][] {{0, 0}, {Math.log(3), 0}});
    DenseBlock g = gradientFor(y);
    // row 0: p = [1/2, 1/2], label 1 -> -log(1/2); row 1: p = [3/4, 1/4], label 0 -> -log(3/4)
    double loss = LossHeads.of("softmax-ce", 2)
        .lossAndGradient(y, Labels.classes(new int[] {1, 0}), g);
    assertThat(loss).isCloseTo((Math.log(2) - Math.log(0.75)) / 2, within(1e-15));
    Approx.assertClose("g", g, new double[][] {{0.25, -0.25}, {-0.125, 0.125}}, 1e-15, 1e-15);
  }

  @Test
  void softmaxCrossEntropyStaysFiniteForLargeLogits() {
    DenseBlock y = DenseBlock.ofRows(new double[][] {{1000, 0}, {1000, 1001}, {-1000, 1000}});
    DenseBlock g = gradientFor(y);
    double loss = LossHeads.of("softmax-ce", 3)
        .lossAndGradient(y, Labels.classes(new int[] {0, 0, 0}), g);
    // row 0: 0; row 1: log(1 + e) (exactly 1 + log(1 + 1/e)); row 2: 2000
    double expected = (0 + 1 + Math.log1p(Math.exp(-1)) + 2000) / 3;
    assertThat(loss).isFinite().isCloseTo(expected, within(1e-11));
    double p = 1 / (1 + Math.E);   // softmax of row 1, class 0
    Approx.assertClose("g", g, new double[][] {{0, 0}, {(p - 1) / 3, (1 - p) / 3},
        {-1.0 / 3, 1.0 / 3}}, 1e-15, 1e-12);
  }

  @Test
  void softmaxCrossEntropyMatchesTheFormulaOnRandomLogits() {
    Random rnd = new Random(3);
    int n = 6;
    int k = 4;
    double[][] rows = new double[n][k];
    int[] labels = new int[n];
    double expected = 0;
    double[][] expectedG = new double[n][k];
    for (int r = 0; r < n; r++) {
      labels[r] = rnd.nextInt(k);
      double sumExp = 0;
      for (int c = 0; c < k; c++) {
        rows[r][c] = 4 * rnd.nextGaussian();
        sumExp += Math.exp(rows[r][c]);
      }
      expected += (Math.log(sumExp) - rows[r][labels[r]]) / 20;   // global n = 20
      for (int c = 0; c < k; c++) {
        expectedG[r][c] = (Math.exp(rows[r][c]) / sumExp - (c == labels[r] ? 1 : 0)) / 20;
      }
    }
    DenseBlock y = DenseBlock.ofRows(rows);
    DenseBlock g = gradientFor(y);
    double loss = LossHeads.of("softmax-ce", 20).lossAndGradient(y, Labels.classes(labels), g);
    assertThat(loss).isCloseTo(expected, within(1e-13));
    Approx.assertClose("g", g, expectedG, 1e-15, 1e-12);
  }

  @Test
  void suppliedGradientIsPassedThroughWithItsLinearSurrogate() {
    DenseBlock supplied = DenseBlock.ofRows(new double[][] {{0.5, -1}, {2, 0}});
    DenseBlock g = gradientFor(Y);
    double loss = LossHeads.of("supplied", 0).lossAndGradient(Y, Labels.gradient(supplied), g);
    assertThat(loss).isEqualTo(0.5 - 2 + 6);
    assertThat(g.toRows()).isEqualTo(supplied.toRows());
  }

  @Test
  void float32OutputGetsAFloat32Gradient() {
    DenseBlock y = Y.toDType(DType.FLOAT32);
    DenseBlock g = gradientFor(y);
    DenseBlock t = DenseBlock.ofRows(new double[][] {{0, 2}, {1, -1}});
    double loss = LossHeads.of("mse", 4).lossAndGradient(y, Labels.targets(t), g);
    assertThat(loss).isCloseTo(3.5, within(1e-15));
    assertThat(g.floats()).containsExactly(0.5f, 0f, 1f, -1.5f);
    assertThatThrownBy(() -> LossHeads.of("sum", 1).lossAndGradient(y, null, gradientFor(Y)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g is 2x2 float64 but y is 2x2 float32");
  }

  @Test
  void labelsOutOfRangeNameTheRowIdAndTheLabel() {
    DenseBlock y = Y.withRowIds(new long[] {100, 101});
    LossHead ce = LossHeads.of("softmax-ce", 2);
    DenseBlock g = gradientFor(y);
    assertThatThrownBy(() -> ce.lossAndGradient(y, Labels.classes(new int[] {0, 5}), g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Class label 5 at row id 101")
        .hasMessageContaining("labels must be in 0..1");
    assertThatThrownBy(() -> ce.lossAndGradient(y, Labels.classes(new int[] {-1, 0}), g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Class label -1 at row id 100");
  }

  @Test
  void missingOrMisshapenLabelsAreRefused() {
    DenseBlock g = gradientFor(Y);
    assertThatThrownBy(() -> LossHeads.of("mse", 2).lossAndGradient(Y, null, g))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs targets");
    assertThatThrownBy(() -> LossHeads.of("mse", 2).lossAndGradient(Y,
        Labels.targets(DenseBlock.zeros(DType.FLOAT64, 3, 2)), g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("targets are 3x2 but y is 2x2");
    assertThatThrownBy(() -> LossHeads.of("softmax-ce", 2).lossAndGradient(Y,
        Labels.classes(new int[] {0}), g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 labels for 2 rows of y");
    assertThatThrownBy(() -> LossHeads.of("softmax-ce", 2).lossAndGradient(Y,
        Labels.targets(Y), g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs integer class labels");
    assertThatThrownBy(() -> LossHeads.of("supplied", 2).lossAndGradient(Y,
        Labels.gradient(DenseBlock.zeros(DType.FLOAT64, 2, 3)), g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Upstream gradient g is 2x3 but y is 2x2");
  }

  /**
   * A head run over row ranges writes exactly those rows of g, and the ranges' losses add up to
   * the whole block's, for every head and dtype (what the backward step's panels rely on).
   */
  @Test
  void rowRangesCoverTheBlockPieceByPiece() {
    Random rnd = new Random(5);
    int n = 13;
    int k = 4;
    double[] yv = new double[n * k];
    double[] tv = new double[n * k];
    int[] classes = new int[n];
    for (int i = 0; i < yv.length; i++) {
      yv[i] = 3 * rnd.nextGaussian();
      tv[i] = rnd.nextGaussian();
    }
    for (int r = 0; r < n; r++) {
      classes[r] = rnd.nextInt(k);
    }
    for (DType dtype : DType.values()) {
      DenseBlock y = DenseBlock.ofDoubles(n, k, yv).toDType(dtype);
      DenseBlock t = DenseBlock.ofDoubles(n, k, tv).toDType(dtype);
      for (String name : LossHeads.NAMES) {
        LossHead head = LossHeads.of(name, 100);
        Labels labels = switch (name) {
          case "mse" -> Labels.targets(t);
          case "softmax-ce" -> Labels.classes(classes);
          case "supplied" -> Labels.gradient(t);
          default -> null;
        };
        DenseBlock whole = gradientFor(y);
        double wholeLoss = head.lossAndGradient(y, labels, whole);

        DenseBlock pieces = gradientFor(y);
        double firstLoss = head.lossAndGradient(y, labels, pieces, 0, 5);
        for (int r = 0; r < n; r++) {
          for (int c = 0; c < k; c++) {
            // rows 5.. are not written yet
            assertThat(pieces.get(r, c)).as("%s %s g[%d][%d]", name, dtype, r, c)
                .isEqualTo(r < 5 ? whole.get(r, c) : 0.0);
          }
        }
        double loss = firstLoss + head.lossAndGradient(y, labels, pieces, 5, 5)
            + head.lossAndGradient(y, labels, pieces, 5, n);
        assertThat(pieces.toRows()).as("%s %s g", name, dtype).isEqualTo(whole.toRows());
        assertThat(loss).as("%s %s loss", name, dtype)
            .isCloseTo(wholeLoss, within(1e-12 * Math.max(1, Math.abs(wholeLoss))));
        assertThatThrownBy(() -> head.lossAndGradient(y, labels, gradientFor(y), 4, n + 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Rows 4..14 are not within y 13x4");
        assertThatThrownBy(() -> head.lossAndGradient(y, labels, gradientFor(y), 3, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Rows 3..2");
      }
    }
  }

  @Test
  void unknownNamesAndEmptyBatchesAreRefused() {
    assertThatThrownBy(() -> LossHeads.of("hinge", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown loss 'hinge'")
        .hasMessageContaining("sum, mean, mse, softmax-ce, supplied");
    assertThatThrownBy(() -> LossHeads.of("hinge", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown loss 'hinge'");
    assertThatThrownBy(() -> LossHeads.of("mean", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Loss 'mean' averages over rows")
        .hasMessageContaining("got 0");
    for (String name : LossHeads.NAMES) {
      assertThat(LossHeads.of(name, 3).name()).isEqualTo(name);
    }
  }
}
