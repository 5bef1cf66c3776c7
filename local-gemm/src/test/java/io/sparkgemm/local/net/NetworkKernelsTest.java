package io.sparkgemm.local.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.Approx;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.TestBackends;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;
import io.sparkgemm.local.loss.LossHeads;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The network kernels: the seed's worked example and the linear layer's bits through the
 * one-layer network, forward against naive loops, workspace reuse, and the shape errors.
 */
class NetworkKernelsTest {
  // the seed's example: x 3x2, w 2x2, b 2, L = Σ Y (so G = ones)
  private static final double[][] X = {{1, 0}, {0, 1}, {1, 1}};
  private static final double[] THETA = {2, 1, -1, 3, 0.5, -2};   // W row-major, then b

  @BeforeAll
  static void loadBackends() {
    TestBackends.blas();
  }

  static Stream<Arguments> backendsAndDTypes() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String name : new String[] {"native", "java", "reference"}) {
      for (DType dtype : DType.values()) {
        out.add(Arguments.of(name, dtype));
      }
    }
    return out.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndDTypes")
  void seedsWorkedExampleIsExactThroughTheOneLayerNetwork(String backend, DType dtype) {
    NetworkKernels kernels = new NetworkKernels(TestBackends.byName(backend));
    Network network = Network.linear(2, 2);
    NetworkParams params = Theta.of(network, THETA).unpack(dtype);
    DenseBlock x = DenseBlock.ofRows(X).toDType(dtype);
    DenseBlock y = DenseBlock.zeros(dtype, 3, 2);
    DenseBlock g = DenseBlock.zeros(dtype, 3, 2);
    DenseBlock dx = DenseBlock.zeros(dtype, 3, 2);
    NetworkGradient acc = new NetworkGradient(network);
    kernels.backward(params, x, LossHeads.of("sum", 3), null, y, g, dx,
        new NetworkKernels.Workspace(), acc);

    assertThat(y.toRows()).isEqualTo(new double[][] {{2.5, -1}, {-0.5, 1}, {1.5, 2}});
    assertThat(g.toRows()).isEqualTo(new double[][] {{1, 1}, {1, 1}, {1, 1}});
    assertThat(dx.toRows()).isEqualTo(new double[][] {{3, 2}, {3, 2}, {3, 2}});
    assertThat(acc.flat()).containsExactly(2, 2, 2, 2, 3, 3);
    assertThat(acc.loss()).isEqualTo(5.5);
    assertThat(acc.numRows()).isEqualTo(3);
    assertThat(kernels.forward(params, x).toRows()).isEqualTo(y.toRows());
  }

  static Stream<Arguments> backendsDTypesAndHeads() {
    Stream.Builder<Arguments> out = Stream.builder();
    backendsAndDTypes().forEach(a -> {
      for (String head : new String[] {"softmax-ce", "mse", "supplied", "mean", "sum"}) {
        out.add(Arguments.of(a.get()[0], a.get()[1], head));
      }
    });
    return out.build();
  }

  /**
   * 517 rows of 300 features into 7 outputs: 7 panels on the BLAS backends (as in
   * LinearKernelsTest), so the one-layer network must run LinearKernels' panels to match.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("backendsDTypesAndHeads")
  void oneLayerNetworkIsTheLinearLayerBitForBit(String backend, DType dtype, String headName) {
    LinearKernels linear = new LinearKernels(TestBackends.byName(backend));
    NetworkKernels kernels = new NetworkKernels(TestBackends.byName(backend));
    Random rnd = new Random(11);
    int n = 517;
    int d = 300;
    int k = 7;
    assertThat(linear.panelRows(d, k, dtype, n)).isLessThan(backend.equals("reference") ? n + 1
        : n);
    Network network = Network.linear(d, k);
    double[] theta = gaussian(rnd, network.numParameters(), 0.1);
    NetworkParams params = Theta.of(network, theta).unpack(dtype);
    DenseBlock x = random(rnd, n, d).toDType(dtype);
    DenseBlock targets = random(rnd, n, k).toDType(dtype);
    int[] classes = new int[n];
    for (int r = 0; r < n; r++) {
      classes[r] = rnd.nextInt(k);
    }
    Labels labels = switch (headName) {
      case "softmax-ce" -> Labels.classes(classes);
      case "mse" -> Labels.targets(targets);
      case "supplied" -> Labels.gradient(targets);
      default -> null;
    };
    LossHead head = LossHeads.of(headName, 1000);

    DenseBlock y = DenseBlock.zeros(dtype, n, k);
    DenseBlock g = DenseBlock.zeros(dtype, n, k);
    DenseBlock dx = DenseBlock.zeros(dtype, n, d);
    GradientAccumulator expected = new GradientAccumulator(d, k);
    linear.backward(x, params.weight(0), params.bias(0), head, labels, y, g, dx, expected);

    DenseBlock yNet = DenseBlock.zeros(dtype, n, k);
    DenseBlock gNet = DenseBlock.zeros(dtype, n, k);
    DenseBlock dxNet = DenseBlock.zeros(dtype, n, d);
    NetworkGradient acc = new NetworkGradient(network);
    kernels.backward(params, x, head, labels, yNet, gNet, dxNet, new NetworkKernels.Workspace(),
        acc);
    assertSameBits(yNet, y);
    assertSameBits(gNet, g);
    assertSameBits(dxNet, dx);
    assertSameBits("dw", acc.layer(0).dw(), expected.dw());
    assertSameBits("db", acc.layer(0).db(), expected.db());
    assertThat(acc.loss()).isEqualTo(expected.loss());
    assertThat(acc.numRows()).isEqualTo(n);

    // a supplied g, and the forward pass
    GradientAccumulator expectedFromG = new GradientAccumulator(d, k);
    DenseBlock dxFromG = DenseBlock.zeros(dtype, n, d);
    linear.backwardFromGradient(x, params.weight(0), targets, dxFromG, expectedFromG);
    NetworkGradient accFromG = new NetworkGradient(network);
    DenseBlock dxNetFromG = DenseBlock.zeros(dtype, n, d);
    kernels.backwardFromGradient(params, x, targets, dxNetFromG, new NetworkKernels.Workspace(),
        accFromG);
    assertSameBits("dw from g", accFromG.layer(0).dw(), expectedFromG.dw());
    assertSameBits("db from g", accFromG.layer(0).db(), expectedFromG.db());
    assertThat(accFromG.numRows()).isEqualTo(n);
    assertThat(accFromG.loss()).isZero();
    assertSameBits(dxNetFromG, dxFromG);
    assertSameBits(kernels.forward(params, x), linear.forward(x, params.weight(0),
        params.bias(0)));
  }

  static Stream<Arguments> panelGrid() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (DType dtype : DType.values()) {
      for (String head : new String[] {"softmax-ce", "mse", "from-gradient"}) {
        for (boolean panels : new boolean[] {true, false}) {
          out.add(Arguments.of(dtype, head, panels));
        }
      }
    }
    return out.build();
  }

  /**
   * 517 rows of 300 features through 300-16(gelu)-8(tanh)-5: every layer is narrow, so the
   * native backend works in 7 panels of 80 rows (float64; 4 of 160 in float32), the last one
   * short. Against backprop by loops ({@link NetworkOracle#backward}), with panels and with
   * whole blocks.
   */
  @ParameterizedTest(name = "{0} {1} panels {2}")
  @MethodSource("panelGrid")
  void narrowNetworksWorkInPanelsAndMatchBackpropByLoops(DType dtype, String head,
      boolean panels) {
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas(), panels);
    Random rnd = new Random(17);
    int n = 517;
    Network network = new Network(new int[] {300, 16, 8, 5},
        List.of(Activation.GELU, Activation.TANH));
    assertThat(kernels.panelRows(network, dtype, n)).isEqualTo(!panels ? n
        : dtype == DType.FLOAT64 ? 80 : 160);
    double[] theta = floats(gaussian(rnd, network.numParameters(), 0.15));
    double[][] x = NetworkGradientCheckTest.randomRows(rnd, n, 300, 1.0);
    double[][] targets = NetworkGradientCheckTest.randomRows(rnd, n, 5, 1.0);
    int[] classes = new int[n];
    for (int r = 0; r < n; r++) {
      classes[r] = rnd.nextInt(5);
    }
    String oracleHead = head.equals("from-gradient") ? "supplied" : head;
    double[][] y = NetworkOracle.forward(network.sizes(), network.activations(), theta, x);
    double[][] dxExpected = new double[n][300];
    double[] expected = NetworkOracle.backward(network.sizes(), network.activations(), theta,
        x, NetworkOracle.headGradient(oracleHead, y, targets, classes), dxExpected);

    NetworkParams params = Theta.of(network, theta).unpack(dtype);
    DenseBlock xb = DenseBlock.ofRows(x).toDType(dtype);
    DenseBlock tb = DenseBlock.ofRows(targets).toDType(dtype);
    DenseBlock dx = DenseBlock.zeros(dtype, n, 300);
    NetworkGradient acc = new NetworkGradient(network);
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    DenseBlock yOut = DenseBlock.zeros(dtype, n, 5);
    if (head.equals("from-gradient")) {
      kernels.backwardFromGradient(params, xb, tb, dx, work, acc);
    } else {
      kernels.backward(params, xb, LossHeads.of(head, n), head.equals("mse")
          ? Labels.targets(tb) : Labels.classes(classes), yOut, DenseBlock.zeros(dtype, n, 5),
          dx, work, acc);
      double loss = NetworkOracle.loss(head, y, targets, classes);
      assertThat(acc.loss()).isCloseTo(loss, Offset.offset(
          (dtype == DType.FLOAT64 ? 1e-12 : 1e-5) * Math.max(1, Math.abs(loss))));
      Approx.assertClose("y", yOut, y, dtype == DType.FLOAT64 ? 1e-12 : 1e-5,
          dtype == DType.FLOAT64 ? 1e-11 : 1e-4);
    }
    double atol = dtype == DType.FLOAT64 ? 1e-13 : 1e-6;
    double rtol = dtype == DType.FLOAT64 ? 1e-10 : 1e-3;
    Approx.assertClose("dθ", acc.flat(), expected, atol, rtol);
    Approx.assertClose("dx", dx, dxExpected, atol, rtol);
    assertThat(acc.numRows()).isEqualTo(n);
  }

  static Stream<Arguments> activationsAndDTypes() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (Activation act : Activation.values()) {
      for (DType dtype : DType.values()) {
        out.add(Arguments.of(act, dtype));
      }
    }
    return out.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("activationsAndDTypes")
  void twoLayerForwardMatchesNaiveLoops(Activation act, DType dtype) {
    Random rnd = new Random(3);
    Network network = Network.of(6, new int[] {9}, act, 4);
    double[] theta = floats(gaussian(rnd, network.numParameters(), 0.8));
    double[][] x = NetworkGradientCheckTest.randomRows(rnd, 37, 6, 2.0);
    double[][] expected = NetworkOracle.forward(network.sizes(), network.activations(), theta,
        x);
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas());
    long[] ids = new long[37];
    for (int r = 0; r < ids.length; r++) {
      ids[r] = 1000L + 3 * r;
    }
    DenseBlock y = kernels.forward(Theta.of(network, theta).unpack(dtype),
        DenseBlock.ofRows(x).toDType(dtype).withRowIds(ids));
    assertThat(y.dtype()).isEqualTo(dtype);
    assertThat(y.rowIds()).containsExactly(ids);
    double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
    Approx.assertClose(network.describe(), y, expected, tol, tol);
  }

  /**
   * One workspace through blocks of 40, 17, 40, 5 and 60 rows gives the bits of a fresh
   * workspace per block, and makes its buffers anew only for the block that is larger.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sparkgemm.local.net.NetworkGradientCheckTest#dtypes")
  void aWorkspaceReusedAcrossBlocksGivesTheBitsOfFreshOnes(DType dtype) {
    Random rnd = new Random(21);
    Network network = new Network(new int[] {8, 12, 6, 3},
        List.of(Activation.GELU, Activation.RELU));
    NetworkParams params = Theta.of(network, gaussian(rnd, network
        .numParameters(), 0.5)).unpack(dtype);
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas());
    NetworkKernels.Workspace shared = new NetworkKernels.Workspace();
    DenseBlock buffer = null;
    for (int rows : new int[] {40, 17, 40, 5, 60}) {
      DenseBlock x = random(rnd, rows, 8).toDType(dtype);
      int[] classes = new int[rows];
      for (int r = 0; r < rows; r++) {
        classes[r] = rnd.nextInt(3);
      }
      LossHead head = LossHeads.of("softmax-ce", 100);
      NetworkGradient reused = new NetworkGradient(network);
      DenseBlock y = DenseBlock.zeros(dtype, rows, 3);
      DenseBlock g = DenseBlock.zeros(dtype, rows, 3);
      DenseBlock dx = DenseBlock.zeros(dtype, rows, 8);
      kernels.backward(params, x, head, Labels.classes(classes), y, g, dx, shared, reused);
      NetworkGradient fresh = new NetworkGradient(network);
      DenseBlock yFresh = DenseBlock.zeros(dtype, rows, 3);
      DenseBlock gFresh = DenseBlock.zeros(dtype, rows, 3);
      DenseBlock dxFresh = DenseBlock.zeros(dtype, rows, 8);
      kernels.backward(params, x, head, Labels.classes(classes), yFresh, gFresh, dxFresh,
          new NetworkKernels.Workspace(), fresh);
      assertSameBits("reused", reused.flat(), fresh.flat());
      assertThat(reused.loss()).isEqualTo(fresh.loss());
      assertSameBits(y, yFresh);
      assertSameBits(g, gFresh);
      assertSameBits(dx, dxFresh);
      NetworkGradient fromG = new NetworkGradient(network);
      kernels.backwardFromGradient(params, x, g, null, shared, fromG);
      assertSameBits("from g", fromG.flat(), fresh.flat());

      assertThat(shared.capacityRows()).isEqualTo(rows == 60 ? 60 : 40);
      if (rows != 60 && buffer != null) {
        assertThat(shared.activation(1)).isSameAs(buffer);
      }
      buffer = shared.activation(1);
    }
  }

  /**
   * A workspace moves between networks: other activations on the same sizes keep its buffers,
   * other sizes or another dtype make new ones; the bits are those of a fresh workspace.
   */
  @Test
  void aWorkspaceFollowsTheNetworkAndDType() {
    Random rnd = new Random(5);
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas());
    NetworkKernels.Workspace shared = new NetworkKernels.Workspace();
    DenseBlock x = random(rnd, 30, 6);
    DenseBlock before = null;
    Network[] networks = {
        Network.of(6, new int[] {7, 5}, Activation.RELU, 2),
        Network.of(6, new int[] {7, 5}, Activation.GELU, 2),
        new Network(new int[] {6, 7, 5, 2}, List.of(Activation.TANH, Activation.GELU)),
        Network.of(6, new int[] {8, 5}, Activation.GELU, 2),
        Network.of(6, new int[] {8, 5}, Activation.GELU, 2)};
    DType[] dtypes = {DType.FLOAT64, DType.FLOAT64, DType.FLOAT64, DType.FLOAT64,
        DType.FLOAT32};
    for (int i = 0; i < networks.length; i++) {
      Network network = networks[i];
      DType dtype = dtypes[i];
      NetworkParams params = Theta.of(network, gaussian(rnd,
          network.numParameters(), 0.5)).unpack(dtype);
      DenseBlock xd = x.toDType(dtype);
      DenseBlock g = random(rnd, 30, 2).toDType(dtype);
      NetworkGradient reused = new NetworkGradient(network);
      DenseBlock dx = DenseBlock.zeros(dtype, 30, 6);
      kernels.backwardFromGradient(params, xd, g, dx, shared, reused);
      NetworkGradient fresh = new NetworkGradient(network);
      DenseBlock dxFresh = DenseBlock.zeros(dtype, 30, 6);
      kernels.backwardFromGradient(params, xd, g, dxFresh, new NetworkKernels.Workspace(),
          fresh);
      assertSameBits(network.describe(), reused.flat(), fresh.flat());
      assertSameBits(dx, dxFresh);
      if (i == 1 || i == 2) {
        assertThat(shared.activation(1)).isSameAs(before);
      } else if (before != null) {
        assertThat(shared.activation(1)).isNotSameAs(before);
      }
      before = shared.activation(1);
    }
  }

  /**
   * Float32 blocks add every layer's sgemm partial into float64: 1 + 1e-8 survives in dW_0 and
   * db_0 of 1-1(identity)-1 with W = 1, b = 0 (G_0 = G_1 W_1ᵀ = g), where float32 would round
   * it back to 1.
   */
  @Test
  void float32BlocksAccumulateEveryLayerInFloat64() {
    Network network = Network.of(1, new int[] {1}, Activation.IDENTITY, 1);
    NetworkParams params = Theta.of(network, new double[] {1, 0, 1, 0}).unpack(DType.FLOAT32);
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas());
    NetworkGradient acc = new NetworkGradient(network);
    DenseBlock one = DenseBlock.ofFloats(1, 1, new float[] {1f});
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    kernels.backwardFromGradient(params, one, DenseBlock.ofFloats(1, 1, new float[] {1f}), null,
        work, acc);
    kernels.backwardFromGradient(params, one, DenseBlock.ofFloats(1, 1, new float[] {1e-8f}),
        null, work, acc);
    assertThat(1f + 1e-8f).isEqualTo(1f);
    double expected = 1.0 + (double) 1e-8f;
    assertThat(acc.flat()).containsExactly(expected, expected, expected, expected);
    assertThat(acc.numRows()).isEqualTo(2);
  }

  /** A block of no rows adds nothing and leaves the workspace usable for the next block. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sparkgemm.local.net.NetworkGradientCheckTest#dtypes")
  void anEmptyBlockAddsNothing(DType dtype) {
    Network network = Network.of(3, new int[] {4}, Activation.SIGMOID, 2);
    NetworkParams params = Theta.of(network, gaussian(new Random(2),
        network.numParameters(), 1)).unpack(dtype);
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas());
    NetworkGradient acc = new NetworkGradient(network);
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    kernels.backward(params, DenseBlock.zeros(dtype, 0, 3), LossHeads.of("sum", 1), null,
        DenseBlock.zeros(dtype, 0, 2), DenseBlock.zeros(dtype, 0, 2),
        DenseBlock.zeros(dtype, 0, 3), work, acc);
    assertThat(acc.flat()).containsOnly(0.0);
    assertThat(acc.numRows()).isZero();
    assertThat(acc.loss()).isZero();
    DenseBlock x = DenseBlock.ofDoubles(1, 3, new double[] {1, 2, 3}).toDType(dtype);
    assertSameBits(kernels.forward(params, x), kernels.forward(params, x));
    kernels.backward(params, x, LossHeads.of("sum", 1), null, DenseBlock.zeros(dtype, 1, 2),
        DenseBlock.zeros(dtype, 1, 2), null, work, acc);
    assertThat(acc.numRows()).isEqualTo(1);
  }

  @Test
  void badShapesNameWhatWasExpectedAndWhatCame() {
    NetworkKernels kernels = new NetworkKernels(TestBackends.nativeBlas());
    Network network = Network.of(3, new int[] {4}, Activation.TANH, 2);
    NetworkParams params = Theta.zeros(network).unpack(DType.FLOAT64);
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    DenseBlock x = DenseBlock.zeros(DType.FLOAT64, 5, 3);
    assertThatThrownBy(() -> kernels.forward(params, DenseBlock.zeros(DType.FLOAT64, 5, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3-4(tanh)-2").hasMessageContaining("cannot take x 5x4")
        .hasMessageContaining("expected n x 3");
    assertThatThrownBy(() -> kernels.forward(params, x.toDType(DType.FLOAT32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(float64) cannot take x 5x3 (float32)");
    assertThatThrownBy(() -> kernels.forward(params, x, work,
        DenseBlock.zeros(DType.FLOAT64, 5, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs y 5x2 (float64), got 5x3 (float64)");
    DenseBlock y = DenseBlock.zeros(DType.FLOAT64, 5, 2);
    assertThatThrownBy(() -> kernels.backward(params, x, LossHeads.of("sum", 5), null, y,
        DenseBlock.zeros(DType.FLOAT64, 4, 2), null, work, new NetworkGradient(network)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs g 5x2 (float64), got 4x2");
    assertThatThrownBy(() -> kernels.backwardFromGradient(params, x, y,
        DenseBlock.zeros(DType.FLOAT64, 5, 2), work, new NetworkGradient(network)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs dx 5x3 (float64), got 5x2");
    assertThatThrownBy(() -> kernels.backwardFromGradient(params, x, y, null, work,
        new NetworkGradient(Network.linear(3, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gradient sums are for 3-2 but the parameters for 3-4(tanh)-2");
  }

  /** Bit for bit (as Arrays.equals: NaNs equal, 0.0 and -0.0 not), naming the first index. */
  private static void assertSameBits(DenseBlock actual, DenseBlock expected) {
    assertThat(actual.dtype()).isEqualTo(expected.dtype());
    assertThat(actual.shape()).isEqualTo(expected.shape());
    if (expected.dtype() == DType.FLOAT64) {
      assertSameBits("block", actual.doubles(), expected.doubles());
    } else {
      float[] a = actual.floats();
      float[] e = expected.floats();
      int i = Arrays.mismatch(a, e);
      assertThat(i).as("first index where %s differs from %s", i < 0 ? 0 : a[i],
          i < 0 ? 0 : e[i]).isEqualTo(-1);
    }
  }

  static void assertSameBits(String what, double[] actual, double[] expected) {
    int i = Arrays.mismatch(actual, expected);
    assertThat(i).as("%s: first index where %s differs from %s", what,
        i < 0 || i >= actual.length ? "-" : actual[i],
        i < 0 || i >= expected.length ? "-" : expected[i]).isEqualTo(-1);
  }

  static double[] gaussian(Random rnd, int size, double sd) {
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      v[i] = rnd.nextGaussian() * sd;
    }
    return v;
  }

  private static double[] floats(double[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) v[i];
    }
    return v;
  }

  private static DenseBlock random(Random rnd, int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * rnd.nextDouble() - 1;
    }
    return DenseBlock.ofDoubles(rows, cols, v);
  }
}
