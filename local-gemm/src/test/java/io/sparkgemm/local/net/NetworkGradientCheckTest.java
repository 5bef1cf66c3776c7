package io.sparkgemm.local.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.Approx;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.TestBackends;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHeads;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks of the network kernels' dθ and dX for every activation, every head
 * and 2 and 3 layers: central differences in float64 of {@link NetworkOracle}'s loss (naive
 * loops, independent of the kernels) against the kernels' gradient, tight in float64 and loose
 * in float32 (the same float64 differences).
 */
class NetworkGradientCheckTest {
  private static final int ROWS = 6;
  private static final double STEP = 1e-5;

  @BeforeAll
  static void loadBackends() {
    TestBackends.blas();
  }

  static Stream<Arguments> grid() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (int layers : new int[] {2, 3}) {
      for (Activation act : Activation.values()) {
        for (String head : new String[] {"mse", "softmax-ce", "sum", "mean", "supplied",
            "from-gradient"}) {
          for (DType dtype : DType.values()) {
            out.add(Arguments.of(layers, act, head, dtype));
          }
        }
      }
    }
    return out.build();
  }

  @ParameterizedTest(name = "{0} layers, {1}, {2}, {3}")
  @MethodSource("grid")
  void gradientsMatchCentralDifferences(int layers, Activation act, String head, DType dtype) {
    int[] sizes = layers == 2 ? new int[] {4, 5, 3} : new int[] {4, 5, 4, 3};
    Network network = Network.of(4, Arrays.copyOfRange(sizes, 1, sizes.length - 1), act, 3);
    check(network, head, dtype, 100 * layers + act.ordinal(), "native");
  }

  static Stream<Arguments> backendsAndDTypes() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String backend : new String[] {"native", "java", "reference"}) {
      for (DType dtype : DType.values()) {
        out.add(Arguments.of(backend, dtype));
      }
    }
    return out.build();
  }

  /** Mixed activations in one 4-layer network, on every CPU backend. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndDTypes")
  void mixedActivationsMatchCentralDifferences(String backend, DType dtype) {
    Network network = new Network(new int[] {3, 6, 5, 4, 2},
        List.of(Activation.GELU, Activation.SIGMOID, Activation.LEAKY_RELU));
    check(network, "softmax-ce", dtype, 5, backend);
    check(network, "mse", dtype, 6, backend);
    check(network, "from-gradient", dtype, 7, backend);
  }

  static Stream<DType> dtypes() {
    return Stream.of(DType.values());
  }

  private static void check(Network network, String head, DType dtype, long seed,
      String backend) {
    Random rnd = new Random(seed);
    int d = network.inFeatures();
    int k = network.outFeatures();
    // float-representable data and θ, so both dtypes see the same numbers
    double[][] x = randomRows(rnd, ROWS, d, 1.0);
    double[] theta = new double[network.numParameters()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = (float) (rnd.nextGaussian() * 0.7);
    }
    double[][] targets = randomRows(rnd, ROWS, k, 1.0);
    int[] classes = new int[ROWS];
    for (int r = 0; r < ROWS; r++) {
      classes[r] = rnd.nextInt(k);
    }
    String oracleHead = head.equals("from-gradient") ? "supplied" : head;

    // the kernels
    NetworkKernels kernels = new NetworkKernels(TestBackends.byName(backend));
    NetworkParams params = Theta.of(network, theta).unpack(dtype);
    DenseBlock xb = DenseBlock.ofRows(x).toDType(dtype);
    DenseBlock tb = DenseBlock.ofRows(targets).toDType(dtype);
    DenseBlock dx = DenseBlock.zeros(dtype, ROWS, d);
    NetworkGradient acc = new NetworkGradient(network);
    NetworkKernels.Workspace work = new NetworkKernels.Workspace();
    if (head.equals("from-gradient")) {
      kernels.backwardFromGradient(params, xb, tb, dx, work, acc);
      assertThat(acc.loss()).isZero();
    } else {
      Labels labels = switch (head) {
        case "mse" -> Labels.targets(tb);
        case "softmax-ce" -> Labels.classes(classes);
        case "supplied" -> Labels.gradient(tb);
        default -> null;
      };
      kernels.backward(params, xb, LossHeads.of(head, ROWS), labels,
          DenseBlock.zeros(dtype, ROWS, k), DenseBlock.zeros(dtype, ROWS, k), dx, work, acc);
      double loss = NetworkOracle.loss(oracleHead, NetworkOracle.forward(network.sizes(),
          network.activations(), theta, x), targets, classes);
      double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
      assertThat(acc.loss()).isCloseTo(loss, Offset.offset(tol * Math.max(1, Math.abs(loss))));
    }
    assertThat(acc.numRows()).isEqualTo(ROWS);

    // the oracle: central differences of the loss in θ and in x
    double[] dTheta = new double[theta.length];
    for (int i = 0; i < theta.length; i++) {
      double keep = theta[i];
      theta[i] = keep + STEP;
      double up = oracleLoss(network, theta, x, oracleHead, targets, classes);
      theta[i] = keep - STEP;
      double down = oracleLoss(network, theta, x, oracleHead, targets, classes);
      theta[i] = keep;
      dTheta[i] = (up - down) / (2 * STEP);
    }
    double[] dX = new double[ROWS * d];
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < d; c++) {
        double keep = x[r][c];
        x[r][c] = keep + STEP;
        double up = oracleLoss(network, theta, x, oracleHead, targets, classes);
        x[r][c] = keep - STEP;
        double down = oracleLoss(network, theta, x, oracleHead, targets, classes);
        x[r][c] = keep;
        dX[r * d + c] = (up - down) / (2 * STEP);
      }
    }

    double scale = Math.max(maxAbs(dTheta), maxAbs(dX));
    double atol = (dtype == DType.FLOAT64 ? 1e-8 : 1e-3) * Math.max(1e-3, scale);
    double rtol = dtype == DType.FLOAT64 ? 1e-6 : 1e-2;
    Approx.assertClose(network.describe() + " " + head + " dθ", acc.flat(), dTheta, atol, rtol);
    Approx.assertClose(network.describe() + " " + head + " dx", dx.toDType(DType.FLOAT64)
        .doubles(), dX, atol, rtol);
  }

  private static double oracleLoss(Network network, double[] theta, double[][] x, String head,
      double[][] targets, int[] classes) {
    return NetworkOracle.loss(head, NetworkOracle.forward(network.sizes(),
        network.activations(), theta, x), targets, classes);
  }

  private static double maxAbs(double[] v) {
    double max = 0;
    for (double e : v) {
      max = Math.max(max, Math.abs(e));
    }
    return max;
  }

  static double[][] randomRows(Random rnd, int rows, int cols, double scale) {
    double[][] out = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r][c] = (float) ((2 * rnd.nextDouble() - 1) * scale);
      }
    }
    return out;
  }
}
