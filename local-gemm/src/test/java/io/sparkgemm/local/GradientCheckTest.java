package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One finite-difference check of dW, dX and db per loss head, and proof that it can fail. */
class GradientCheckTest {
  // x: n x d   w: d x k   b: k
  private static final int N = 6;
  private static final int D = 4;
  private static final int K = 3;

  @BeforeAll
  static void loadBackends() {
    TestBackends.blas();
  }

  static Stream<Arguments> headsAndBackends() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String head : LossHeads.NAMES) {
      for (String backend : new String[] {"native", "java"}) {
        out.add(Arguments.of(head, backend));
      }
    }
    return out.build();
  }

  /** A seeded layer: x, w and b, and labels of the kind each head needs. */
  private record Layer(DenseBlock x, DenseBlock w, double[] b, Labels labels) {
    static Layer random(String head, long seed) {
      Random rnd = new Random(seed);
      DenseBlock x = gaussian(rnd, N, D);
      DenseBlock w = gaussian(rnd, D, K);
      double[] b = gaussian(rnd, 1, K).doubles();
      Labels labels;
      switch (head) {
        case "mse":
          labels = Labels.targets(gaussian(rnd, N, K));
          break;
        case "softmax-ce":
          int[] classes = new int[N];
          for (int r = 0; r < N; r++) {
            classes[r] = rnd.nextInt(K);
          }
          labels = Labels.classes(classes);
          break;
        case "supplied":
          labels = Labels.gradient(gaussian(rnd, N, K));
          break;
        default:
          labels = null;
      }
      return new Layer(x, w, b, labels);
    }
  }

  @ParameterizedTest(name = "{0} on {1}, float64")
  @MethodSource("headsAndBackends")
  void float64GradientsMatchFiniteDifferences(String head, String backend) {
    Layer layer = Layer.random(head, 11);
    GradientCheck.Result result = GradientCheck.check(
        new LinearKernels(TestBackends.byName(backend)), LossHeads.of(head, N), layer.x,
        layer.w, layer.b, layer.labels, 1e-6);
    assertThat(result.dwError()).as("dW error").isLessThanOrEqualTo(1e-6);
    assertThat(result.dxError()).as("dX error").isLessThanOrEqualTo(1e-6);
    assertThat(result.dbError()).as("db error").isLessThanOrEqualTo(1e-6);
  }

  @ParameterizedTest(name = "{0} on {1}, float32")
  @MethodSource("headsAndBackends")
  void float32GradientsMatchFiniteDifferences(String head, String backend) {
    Layer layer = Layer.random(head, 12);
    GradientCheck.Result result = GradientCheck.check(
        new LinearKernels(TestBackends.byName(backend)), LossHeads.of(head, N),
        layer.x.toDType(DType.FLOAT32), layer.w.toDType(DType.FLOAT32), layer.b, layer.labels,
        1e-5);
    assertThat(result.maxError()).as(result.toString()).isLessThanOrEqualTo(1e-3);
  }

  @Test
  void aWrongGradientFailsTheCheck() {
    Layer layer = Layer.random("mse", 13);
    LossHead mse = LossHeads.of("mse", N);
    // the right loss, but g 10% too large
    LossHead wrong = new Scaled(mse, 1.1);
    GradientCheck.Result result = GradientCheck.check(new LinearKernels(TestBackends.nativeBlas()),
        wrong, layer.x, layer.w, layer.b, layer.labels, 1e-6);
    assertThat(result.dwError()).isGreaterThan(0.05);
    assertThat(result.dxError()).isGreaterThan(0.05);
    assertThat(result.dbError()).isGreaterThan(0.05);
    // the loss is untouched, so the check on the real head still passes
    assertThat(GradientCheck.check(new LinearKernels(TestBackends.nativeBlas()), mse, layer.x,
        layer.w, layer.b, layer.labels, 1e-6).maxError()).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void relativeErrorIsNormWise() {
    assertThat(GradientCheck.relativeError(new double[] {0, 0}, new double[] {0, 0})).isZero();
    // ||(3, 4) − (0, 0)|| / max(5, 0)
    assertThat(GradientCheck.relativeError(new double[] {3, 4}, new double[] {0, 0})).isEqualTo(1);
    // ||(0, 1e-3)|| / ||(3, 4)||
    assertThat(GradientCheck.relativeError(new double[] {3, 4}, new double[] {3, 4.001}))
        .isCloseTo(1e-3 / Math.sqrt(9 + 4.001 * 4.001), within(1e-12));
  }

  @Test
  void lossUsesTheWholeLayerInFloat64() {
    DenseBlock x = DenseBlock.ofRows(new double[][] {{1, 0}, {0, 1}, {1, 1}});
    DenseBlock w = DenseBlock.ofRows(new double[][] {{2, 1}, {-1, 3}});
    // y = [[2.5, -1], [-0.5, 1], [1.5, 2]] sums to 5.5
    assertThat(GradientCheck.loss(LossHeads.of("sum", 3), x, w, new double[] {0.5, -2}, null))
        .isEqualTo(5.5);
  }

  /** Delegates the loss, but scales g: a deliberately wrong head. */
  private record Scaled(LossHead inner, double factor) implements LossHead {
    @Override
    public String name() {
      return "scaled-" + inner.name();
    }

    @Override
    public boolean needsLabels() {
      return inner.needsLabels();
    }

    @Override
    public double lossAndGradient(DenseBlock y, Labels labels, DenseBlock g, int from, int to) {
      double loss = inner.lossAndGradient(y, labels, g, from, to);
      for (int r = from; r < to; r++) {
        for (int c = 0; c < g.numCols(); c++) {
          g.set(r, c, factor * g.get(r, c));
        }
      }
      return loss;
    }
  }

  private static DenseBlock gaussian(Random rnd, int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextGaussian();
    }
    return DenseBlock.ofDoubles(rows, cols, v);
  }
}
