package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Forward, input gradient and weight/bias gradients against the worked example and loops. */
class LinearKernelsTest {
  // x: 3x2   w: 2x2   b: 2   g: 3x2 (ones)
  private static final double[][] X = {{1, 0}, {0, 1}, {1, 1}};
  private static final double[][] W = {{2, 1}, {-1, 3}};
  private static final double[] B = {0.5, -2};

  @BeforeAll
  static void loadBackends() {
    TestBackends.blas();
  }

  static Stream<Arguments> backendsAndDTypes() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String name : new String[] {"native", "java", "reference", "cuda"}) {
      for (DType dtype : DType.values()) {
        out.add(Arguments.of(name, dtype));
      }
    }
    return out.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndDTypes")
  void workedExampleIsExact(String backend, DType dtype) {
    LinearKernels kernels = new LinearKernels(TestBackends.byName(backend));
    DenseBlock x = DenseBlock.ofRows(X).toDType(dtype);
    DenseBlock w = DenseBlock.ofRows(W).toDType(dtype);
    DenseBlock g = DenseBlock.ofRows(new double[][] {{1, 1}, {1, 1}, {1, 1}}).toDType(dtype);

    DenseBlock y = kernels.forward(x, w, B);
    assertThat(y.dtype()).isEqualTo(dtype);
    assertThat(y.toRows()).isEqualTo(new double[][] {{2.5, -1}, {-0.5, 1}, {1.5, 2}});

    DenseBlock dx = kernels.inputGradient(g, w);
    assertThat(dx.toRows()).isEqualTo(new double[][] {{3, 2}, {3, 2}, {3, 2}});

    GradientAccumulator acc = new GradientAccumulator(2, 2);
    kernels.accumulateGradients(x, g, acc);
    assertThat(acc.dw()).containsExactly(2, 2, 2, 2);
    assertThat(acc.db()).containsExactly(3, 3);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndDTypes")
  void kernelsMatchExplicitLoops(String backend, DType dtype) {
    LinearKernels kernels = new LinearKernels(TestBackends.byName(backend));
    Random rnd = new Random(42);
    int n = 13;
    int d = 7;
    int k = 5;
    DenseBlock x = random(rnd, n, d).toDType(dtype);
    DenseBlock w = random(rnd, d, k).toDType(dtype);
    DenseBlock g = random(rnd, n, k).toDType(dtype);
    double[] b = random(rnd, 1, k).doubles();
    double[][] y = new double[n][k];
    double[][] dx = new double[n][d];
    double[][] dw = new double[d][k];
    double[] db = new double[k];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        y[r][j] = b[j];
        for (int p = 0; p < d; p++) {
          y[r][j] += x.get(r, p) * w.get(p, j);   // y = x w + b
          dx[r][p] += g.get(r, j) * w.get(p, j);  // dx = g wᵀ
          dw[p][j] += x.get(r, p) * g.get(r, j);  // dw = xᵀ g
        }
        db[j] += g.get(r, j);                     // db = 1ᵀ g
      }
    }
    double atol = dtype == DType.FLOAT64 ? 1e-13 : 1e-5;
    double rtol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
    Approx.assertClose("y", kernels.forward(x, w, b), y, atol, rtol);
    Approx.assertClose("dx", kernels.inputGradient(g, w), dx, atol, rtol);
    GradientAccumulator acc = new GradientAccumulator(d, k);
    kernels.accumulateGradients(x, g, acc);
    Approx.assertClose("dw", acc.dwBlock(), dw, atol, rtol);
    Approx.assertClose("db", acc.db(), db, atol, rtol);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndDTypes")
  void twoBlocksAccumulateToTheStackedBlock(String backend, DType dtype) {
    LinearKernels kernels = new LinearKernels(TestBackends.byName(backend));
    Random rnd = new Random(7);
    DenseBlock x = random(rnd, 11, 4).toDType(dtype);
    DenseBlock g = random(rnd, 11, 3).toDType(dtype);
    GradientAccumulator whole = new GradientAccumulator(4, 3);
    kernels.accumulateGradients(x, g, whole);

    // rows 0..5 and 6..10; beta = 1 adds the second block's xᵀ g onto the first's
    GradientAccumulator parts = new GradientAccumulator(4, 3);
    kernels.accumulateGradients(rows(x, 0, 6), rows(g, 0, 6), parts);
    kernels.accumulateGradients(rows(x, 6, 11), rows(g, 6, 11), parts);
    kernels.accumulateGradients(rows(x, 0, 0), rows(g, 0, 0), parts);   // an empty block
    double tol = dtype == DType.FLOAT64 ? 1e-14 : 1e-6;
    Approx.assertClose("dw", parts.dw(), whole.dw(), tol, tol);
    Approx.assertClose("db", parts.db(), whole.db(), tol, tol);

    // merging two accumulators gives the same sums
    GradientAccumulator left = new GradientAccumulator(4, 3);
    GradientAccumulator right = new GradientAccumulator(4, 3);
    kernels.accumulateGradients(rows(x, 0, 6), rows(g, 0, 6), left.addLoss(1.5, 6));
    kernels.accumulateGradients(rows(x, 6, 11), rows(g, 6, 11), right.addLoss(2.0, 5));
    assertThat(left.merge(right)).isSameAs(left);
    Approx.assertClose("merged dw", left.dw(), whole.dw(), tol, tol);
    assertThat(left.loss()).isEqualTo(3.5);
    assertThat(left.numRows()).isEqualTo(11);
  }

  static Stream<Arguments> backendsDTypesAndHeads() {
    Stream.Builder<Arguments> out = Stream.builder();
    backendsAndDTypes().forEach(a -> {
      for (String head : new String[] {"softmax-ce", "mse", "supplied", "mean"}) {
        out.add(Arguments.of(a.get()[0], a.get()[1], head));
      }
    });
    return out.build();
  }

  /**
   * The whole backward step against explicit loops. 517 rows of 300 features: on the BLAS
   * backends that is 7 panels of 80 rows (float64; 4 of 160 in float32), the last one short, so
   * panel edges, offsets and the short panel are all exercised; the reference backend takes the
   * block whole.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("backendsDTypesAndHeads")
  void backwardStepMatchesExplicitLoops(String backend, DType dtype, String headName) {
    LinearKernels kernels = new LinearKernels(TestBackends.byName(backend));
    Random rnd = new Random(11);
    int n = 517;
    int d = 300;
    int k = 7;
    DenseBlock x = random(rnd, n, d).toDType(dtype);
    DenseBlock w = random(rnd, d, k).toDType(dtype);
    double[] b = random(rnd, 1, k).doubles();
    int[] classes = new int[n];
    for (int r = 0; r < n; r++) {
      classes[r] = rnd.nextInt(k);
    }
    DenseBlock targets = random(rnd, n, k).toDType(dtype);
    Labels labels = switch (headName) {
      case "softmax-ce" -> Labels.classes(classes);
      case "mse" -> Labels.targets(targets);
      case "supplied" -> Labels.gradient(targets);
      default -> null;
    };
    LossHead head = LossHeads.of(headName, 1000);

    // Oracle: y by loops, g and the loss from the head on the whole block, then loops again.
    double[][] y = new double[n][k];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        double sum = b[j];
        for (int p = 0; p < d; p++) {
          sum += x.get(r, p) * w.get(p, j);
        }
        y[r][j] = sum;
      }
    }
    DenseBlock yBlock = DenseBlock.ofRows(y).toDType(dtype);
    DenseBlock gBlock = DenseBlock.zeros(dtype, n, k);
    double loss = head.lossAndGradient(yBlock, labels, gBlock);
    double[][] dw = new double[d][k];
    double[] db = new double[k];
    double[][] dx = new double[n][d];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        double gv = gBlock.get(r, j);
        db[j] += gv;
        for (int p = 0; p < d; p++) {
          dw[p][j] += x.get(r, p) * gv;
          dx[r][p] += gv * w.get(p, j);
        }
      }
    }

    DenseBlock yOut = DenseBlock.zeros(dtype, n, k);
    DenseBlock gOut = DenseBlock.zeros(dtype, n, k);
    DenseBlock dxOut = DenseBlock.zeros(dtype, n, d);
    GradientAccumulator acc = new GradientAccumulator(d, k).addLoss(0.25, 3);
    kernels.backward(x, w, b, head, labels, yOut, gOut, dxOut, acc);
    double atol = dtype == DType.FLOAT64 ? 1e-12 : 2e-4;
    double rtol = dtype == DType.FLOAT64 ? 1e-11 : 2e-4;
    Approx.assertClose("y", yOut, y, atol, rtol);
    Approx.assertClose("g", gOut, gBlock.toRows(), atol, rtol);
    Approx.assertClose("dx", dxOut, dx, atol, rtol);
    Approx.assertClose("dw", acc.dwBlock(), dw, atol, rtol);
    Approx.assertClose("db", acc.db(), db, atol, rtol);
    assertThat(acc.loss()).isCloseTo(0.25 + loss,
        Offset.offset(rtol * Math.max(1, Math.abs(loss))));
    assertThat(acc.numRows()).isEqualTo(3 + n);

    // Without dx: the same sums, dx left alone.
    GradientAccumulator noDx = new GradientAccumulator(d, k);
    kernels.backward(x, w, b, head, labels, DenseBlock.zeros(dtype, n, k),
        DenseBlock.zeros(dtype, n, k), null, noDx);
    assertThat(noDx.dw()).containsExactly(acc.dw());
    assertThat(noDx.db()).containsExactly(acc.db());
  }

  /**
   * A supplied g without y: dW, db and dX against explicit loops, over the same 7 panels as
   * above, and bit for bit what the backward step with the supplied head gives (the pass that
   * keeps Y takes that path); no loss, only the rows.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndDTypes")
  void backwardFromGradientMatchesExplicitLoopsAndTheSuppliedHead(String backend, DType dtype) {
    LinearKernels kernels = new LinearKernels(TestBackends.byName(backend));
    Random rnd = new Random(13);
    int n = 517;
    int d = 300;
    int k = 7;
    DenseBlock x = random(rnd, n, d).toDType(dtype);
    DenseBlock w = random(rnd, d, k).toDType(dtype);
    DenseBlock g = random(rnd, n, k).toDType(dtype);
    double[][] dw = new double[d][k];
    double[] db = new double[k];
    double[][] dx = new double[n][d];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        double gv = g.get(r, j);
        db[j] += gv;
        for (int p = 0; p < d; p++) {
          dw[p][j] += x.get(r, p) * gv;   // dw = xᵀ g
          dx[r][p] += gv * w.get(p, j);   // dx = g wᵀ
        }
      }
    }
    DenseBlock dxOut = DenseBlock.zeros(dtype, n, d);
    GradientAccumulator acc = new GradientAccumulator(d, k).addLoss(0.25, 3);
    kernels.backwardFromGradient(x, w, g, dxOut, acc);
    double atol = dtype == DType.FLOAT64 ? 1e-12 : 2e-4;
    double rtol = dtype == DType.FLOAT64 ? 1e-11 : 2e-4;
    Approx.assertClose("dw", acc.dwBlock(), dw, atol, rtol);
    Approx.assertClose("db", acc.db(), db, atol, rtol);
    Approx.assertClose("dx", dxOut, dx, atol, rtol);
    assertThat(acc.loss()).isEqualTo(0.25);
    assertThat(acc.numRows()).isEqualTo(3 + n);

    DenseBlock dxHead = DenseBlock.zeros(dtype, n, d);
    GradientAccumulator head = new GradientAccumulator(d, k).addLoss(0.25, 3);
    kernels.backward(x, w, new double[k], LossHeads.of("supplied", n), Labels.gradient(g),
        DenseBlock.zeros(dtype, n, k), DenseBlock.zeros(dtype, n, k), dxHead, head);
    assertThat(acc.dw()).containsExactly(head.dw());
    assertThat(acc.db()).containsExactly(head.db());
    assertThat(dxOut.toRows()).isEqualTo(dxHead.toRows());

    GradientAccumulator noDx = new GradientAccumulator(d, k);
    kernels.backwardFromGradient(x, w, g, null, noDx);
    assertThat(noDx.dw()).containsExactly(head.dw());
  }

  @Test
  void panelsFollowTheBackendsCacheSizeAndOnlyForNarrowOutputs() {
    LinearKernels cpu = new LinearKernels(TestBackends.nativeBlas());
    long bytes = TestBackends.nativeBlas().panelBytes();
    assertThat(bytes).isEqualTo(192 * 1024);
    // 196,608 bytes / (784 x 8) = 31.3 rows -> 24 (a multiple of 8)
    assertThat(cpu.panelRows(784, 10, DType.FLOAT64, 1024)).isEqualTo(24);
    // float32 rows are half as big: 62.7 -> 56
    assertThat(cpu.panelRows(784, 10, DType.FLOAT32, 1024)).isEqualTo(56);
    assertThat(cpu.panelRows(64, 64, DType.FLOAT64, 8192)).isEqualTo(384);
    // never under 16 rows, never more than the block
    assertThat(cpu.panelRows(100_000, 10, DType.FLOAT64, 1000)).isEqualTo(16);
    assertThat(cpu.panelRows(64, 64, DType.FLOAT64, 100)).isEqualTo(100);
    // wide outputs and backends without a panel size take whole blocks
    assertThat(cpu.panelRows(784, LinearKernels.PANEL_MAX_K + 1, DType.FLOAT64, 1024))
        .isEqualTo(1024);
    assertThat(new LinearKernels(TestBackends.byName("reference"))
        .panelRows(784, 10, DType.FLOAT64, 1024)).isEqualTo(1024);
  }

  @Test
  void float32BlocksAccumulateInFloat64() {
    LinearKernels kernels = new LinearKernels(TestBackends.nativeBlas());
    GradientAccumulator acc = new GradientAccumulator(1, 1);
    DenseBlock one = DenseBlock.ofFloats(1, 1, new float[] {1f});
    kernels.accumulateGradients(one, DenseBlock.ofFloats(1, 1, new float[] {1f}), acc);
    kernels.accumulateGradients(one, DenseBlock.ofFloats(1, 1, new float[] {1e-8f}), acc);
    // in float32, 1 + 1e-8 rounds back to 1; the float64 sums keep it
    assertThat(1f + 1e-8f).isEqualTo(1f);
    assertThat(acc.dw()[0]).isEqualTo(1.0 + (double) 1e-8f);
    assertThat(acc.db()[0]).isEqualTo(1.0 + (double) 1e-8f);
  }

  @Test
  void forwardAndInputGradientKeepRowIds() {
    LinearKernels kernels = new LinearKernels(TestBackends.nativeBlas());
    long[] ids = {100L, 5_000_000_000L, 7L};
    DenseBlock x = DenseBlock.ofRows(X).withRowIds(ids);
    DenseBlock y = kernels.forward(x, DenseBlock.ofRows(W), B);
    assertThat(y.rowIds()).containsExactly(ids);
    DenseBlock dx = kernels.inputGradient(y, DenseBlock.ofRows(W));
    assertThat(dx.rowIds()).containsExactly(ids);
    assertThat(kernels.forward(DenseBlock.ofRows(X), DenseBlock.ofRows(W), B).hasRowIds())
        .isFalse();
  }

  /**
   * The row-range helpers the network kernels use: rows 2..5 of blocks that have more rows
   * (scratch sized for a larger block), against loops; the other rows are left alone.
   */
  @Test
  void rowRangesComputeThoseRowsOnly() {
    LinearKernels kernels = new LinearKernels(TestBackends.nativeBlas());
    Random rnd = new Random(3);
    DenseBlock x = random(rnd, 6, 4);
    DenseBlock w = random(rnd, 4, 3);
    double[] b = random(rnd, 1, 3).doubles();
    DenseBlock y = DenseBlock.zeros(DType.FLOAT64, 8, 3);   // more rows than x
    kernels.forwardRows(x, w, b, y, 2, 5);
    DenseBlock dx = DenseBlock.zeros(DType.FLOAT64, 7, 4);
    kernels.inputGradientRows(y, w, dx, 2, 5);
    GradientAccumulator acc = new GradientAccumulator(4, 3);
    kernels.accumulateRows(x, y, acc, 2, 5);
    double[][] dw = new double[4][3];
    double[] db = new double[3];
    for (int r = 0; r < 8; r++) {
      for (int j = 0; j < 3; j++) {
        double yrj = 0;
        if (r >= 2 && r < 5) {
          yrj = b[j];
          for (int p = 0; p < 4; p++) {
            yrj += x.get(r, p) * w.get(p, j);
          }
          db[j] += yrj;
          for (int p = 0; p < 4; p++) {
            dw[p][j] += x.get(r, p) * yrj;
          }
        }
        assertThat(y.get(r, j)).isCloseTo(yrj, Offset.offset(1e-14));
      }
    }
    for (int r = 0; r < 7; r++) {
      for (int p = 0; p < 4; p++) {
        double e = 0;
        for (int j = 0; r >= 2 && r < 5 && j < 3; j++) {
          e += y.get(r, j) * w.get(p, j);
        }
        assertThat(dx.get(r, p)).isCloseTo(e, Offset.offset(1e-14));
      }
    }
    Approx.assertClose("dw", acc.dwBlock(), dw, 1e-14, 1e-14);
    Approx.assertClose("db", acc.db(), db, 1e-14, 1e-14);
    assertThat(acc.numRows()).isZero();

    assertThatThrownBy(() -> kernels.forwardRows(x, w, b, y, 4, 7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows 4..7 of y = x w + b: the blocks have 6 and 8 rows");
    assertThatThrownBy(() -> kernels.accumulateRows(x, dx, acc, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x is 6x4, g is 7x4, dw is 4x3");
    assertThatThrownBy(() -> kernels.inputGradientRows(y, x, dx, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g is 8x3, w is 6x4, dx is 7x4");
  }

  @Test
  void mismatchedShapesNameEveryOperand() {
    LinearKernels kernels = new LinearKernels(TestBackends.nativeBlas());
    DenseBlock x = DenseBlock.ofRows(X);                          // 3x2
    DenseBlock w41 = DenseBlock.zeros(DType.FLOAT64, 4, 1);
    assertThatThrownBy(() -> kernels.forward(x, w41, new double[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x is 3x2").hasMessageContaining("w is 4x1");
    assertThatThrownBy(() -> kernels.forward(x, DenseBlock.ofRows(W), new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("b has 3 values");
    DenseBlock w23 = DenseBlock.zeros(DType.FLOAT64, 2, 3);
    assertThatThrownBy(() -> kernels.inputGradient(x, w23))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g is 3x2").hasMessageContaining("w is 2x3");
    DenseBlock g42 = DenseBlock.zeros(DType.FLOAT64, 4, 2);
    assertThatThrownBy(() -> kernels.accumulateGradients(x, g42, new GradientAccumulator(2, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x is 3x2").hasMessageContaining("g is 4x2")
        .hasMessageContaining("dw is 2x2");
    assertThatThrownBy(() -> kernels.forward(x, DenseBlock.ofRows(W).toDType(DType.FLOAT32), B))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mixed dtypes: float64, float32, float64");
    assertThatThrownBy(() -> kernels.accumulateGradients(x, x.toDType(DType.FLOAT32),
        new GradientAccumulator(2, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x is float64 but g is float32");
    assertThatThrownBy(() -> new GradientAccumulator(2, 2).merge(new GradientAccumulator(3, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot merge gradients of 3x2 into 2x2");
  }

  private static DenseBlock random(Random rnd, int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * rnd.nextDouble() - 1;
    }
    return DenseBlock.ofDoubles(rows, cols, v);
  }

  /** Rows [from, to) as a new block of the same dtype. */
  private static DenseBlock rows(DenseBlock block, int from, int to) {
    DenseBlock out = DenseBlock.zeros(block.dtype(), to - from, block.numCols());
    for (int r = from; r < to; r++) {
      for (int c = 0; c < block.numCols(); c++) {
        out.set(r - from, c, block.get(r, c));
      }
    }
    return out;
  }
}
