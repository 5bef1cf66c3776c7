package io.sparkgemm.local.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.Approx;
import io.sparkgemm.local.TestBackends;
import io.sparkgemm.local.Trans;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every BLAS backend against the reference triple loop over one grid of transposes, alpha, beta
 * and shapes, in float64 and float32. Operands are laid out with row strides wider than their
 * columns and at nonzero offsets for some shapes; the padding of a and b holds NaN (a backend
 * that reads it fails) and the padding of c holds a sentinel that must survive.
 */
class BackendGridTest {
  private static final double C_SENTINEL = 7.25;

  /** op(a) m x k, op(b) k x n, c m x n; every stride is cols + pad, every offset off. */
  record Shape(int m, int n, int k, int pad, int off) {
    @Override
    public String toString() {
      return m + "x" + n + "x" + k + (pad == 0 && off == 0 ? "" : " (ld+" + pad + ", off " + off
          + ")");
    }
  }

  static final List<Shape> SHAPES = List.of(
      new Shape(0, 5, 3, 0, 0), new Shape(3, 0, 2, 0, 0), new Shape(4, 3, 0, 0, 0),
      new Shape(1, 1, 1, 0, 0), new Shape(7, 5, 3, 0, 0), new Shape(103, 67, 29, 0, 0),
      new Shape(0, 5, 3, 1, 2), new Shape(4, 3, 0, 2, 1), new Shape(1, 1, 1, 1, 4),
      new Shape(7, 5, 3, 2, 3), new Shape(103, 67, 29, 5, 1));

  @BeforeAll
  static void loadBackends() {
    TestBackends.blas();
  }

  static Stream<Arguments> grid() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String backend : TestBackends.blasNames()) {
      for (Trans ta : Trans.values()) {
        for (Trans tb : Trans.values()) {
          for (double alpha : new double[] {0, 1, 2}) {
            for (double beta : new double[] {0, 1}) {
              for (Shape shape : SHAPES) {
                out.add(Arguments.of(backend, ta, tb, alpha, beta, shape));
              }
            }
          }
        }
      }
    }
    return out.build();
  }

  static Stream<Arguments> nanGrid() {
    Stream.Builder<Arguments> out = Stream.builder();
    for (String backend : TestBackends.blasNames()) {
      for (Trans ta : Trans.values()) {
        for (Trans tb : Trans.values()) {
          for (double alpha : new double[] {0, 1, 2}) {
            out.add(Arguments.of(backend, ta, tb, alpha, new Shape(7, 5, 3, 2, 3)));
            out.add(Arguments.of(backend, ta, tb, alpha, new Shape(103, 67, 29, 0, 0)));
            out.add(Arguments.of(backend, ta, tb, alpha, new Shape(4, 3, 0, 1, 1)));
          }
        }
      }
    }
    return out.build();
  }

  @ParameterizedTest(name = "{0} dgemm {1}{2} alpha={3} beta={4} {5}")
  @MethodSource("grid")
  void dgemmMatchesReference(String backend, Trans ta, Trans tb, double alpha, double beta,
      Shape s) {
    runDouble(TestBackends.byName(backend), ta, tb, alpha, beta, s, false);
  }

  @ParameterizedTest(name = "{0} sgemm {1}{2} alpha={3} beta={4} {5}")
  @MethodSource("grid")
  void sgemmMatchesReference(String backend, Trans ta, Trans tb, double alpha, double beta,
      Shape s) {
    runFloat(TestBackends.byName(backend), ta, tb, (float) alpha, (float) beta, s, false);
  }

  @ParameterizedTest(name = "{0} dgemm {1}{2} alpha={3} beta=0 ignores NaN in c, {4}")
  @MethodSource("nanGrid")
  void dgemmBetaZeroIgnoresNanInC(String backend, Trans ta, Trans tb, double alpha, Shape s) {
    runDouble(TestBackends.byName(backend), ta, tb, alpha, 0.0, s, true);
  }

  @ParameterizedTest(name = "{0} sgemm {1}{2} alpha={3} beta=0 ignores NaN in c, {4}")
  @MethodSource("nanGrid")
  void sgemmBetaZeroIgnoresNanInC(String backend, Trans ta, Trans tb, double alpha, Shape s) {
    runFloat(TestBackends.byName(backend), ta, tb, (float) alpha, 0.0f, s, true);
  }

  private static void runDouble(GemmBackend backend, Trans ta, Trans tb, double alpha,
      double beta, Shape s, boolean nanInC) {
    Random rnd = new Random(Arrays.hashCode(new int[] {s.m, s.n, s.k, s.pad, ta.ordinal(),
        tb.ordinal()}));
    Operand a = Operand.of(ta, s.m, s.k, s);
    Operand b = Operand.of(tb, s.k, s.n, s);
    Operand c = Operand.of(Trans.N, s.m, s.n, s);
    double[] av = a.doubles(rnd, Double.NaN, false);
    double[] bv = b.doubles(rnd, Double.NaN, false);
    double[] cv = c.doubles(rnd, C_SENTINEL, nanInC);
    double[] expected = cv.clone();
    ReferenceGemm.INSTANCE.dgemm(ta, tb, s.m, s.n, s.k, alpha, av, s.off, a.ld, bv, s.off, b.ld,
        beta, expected, s.off, c.ld);
    backend.dgemm(ta, tb, s.m, s.n, s.k, alpha, av, s.off, a.ld, bv, s.off, b.ld, beta, cv,
        s.off, c.ld);
    // |error| of a k-term dot product of values in [-1, 1] is below k·eps·k; alpha <= 2
    double atol = 1e-14 * Math.max(1, s.k);
    Approx.assertClose(backend.name() + " dgemm c", cv, expected, atol, 1e-12);
    if (nanInC) {
      assertThat(Arrays.stream(cv).noneMatch(Double::isNaN)).as("NaN left in c").isTrue();
    }
  }

  private static void runFloat(GemmBackend backend, Trans ta, Trans tb, float alpha, float beta,
      Shape s, boolean nanInC) {
    Random rnd = new Random(Arrays.hashCode(new int[] {s.m, s.n, s.k, s.pad, ta.ordinal(),
        tb.ordinal(), 32}));
    Operand a = Operand.of(ta, s.m, s.k, s);
    Operand b = Operand.of(tb, s.k, s.n, s);
    Operand c = Operand.of(Trans.N, s.m, s.n, s);
    float[] av = a.floats(rnd, Float.NaN, false);
    float[] bv = b.floats(rnd, Float.NaN, false);
    float[] cv = c.floats(rnd, (float) C_SENTINEL, nanInC);
    float[] expected = cv.clone();
    ReferenceGemm.INSTANCE.sgemm(ta, tb, s.m, s.n, s.k, alpha, av, s.off, a.ld, bv, s.off, b.ld,
        beta, expected, s.off, c.ld);
    backend.sgemm(ta, tb, s.m, s.n, s.k, alpha, av, s.off, a.ld, bv, s.off, b.ld, beta, cv,
        s.off, c.ld);
    double atol = 1e-6 * Math.max(1, s.k);
    Approx.assertClose(backend.name() + " sgemm c", cv, expected, atol, 1e-5);
    if (nanInC) {
      for (float v : cv) {
        assertThat(Float.isNaN(v)).as("NaN left in c").isFalse();
      }
    }
  }

  /** A stored rows x cols operand (op(X) is storedRows x storedCols after trans). */
  private record Operand(int rows, int cols, int ld, int off) {
    static Operand of(Trans trans, int opRows, int opCols, Shape s) {
      int rows = trans == Trans.N ? opRows : opCols;
      int cols = trans == Trans.N ? opCols : opRows;
      return new Operand(rows, cols, Math.max(1, cols) + s.pad, s.off);
    }

    int length() {
      return off + rows * ld + 3;
    }

    boolean inside(int i) {
      int rel = i - off;
      return rel >= 0 && rel < rows * ld && rel % ld < cols;
    }

    /** Values in [-1, 1] inside, {@code padding} elsewhere; inside is NaN when {@code nan}. */
    double[] doubles(Random rnd, double padding, boolean nan) {
      double[] v = new double[length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = !inside(i) ? padding : nan ? Double.NaN : 2 * rnd.nextDouble() - 1;
      }
      return v;
    }

    float[] floats(Random rnd, float padding, boolean nan) {
      float[] v = new float[length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = !inside(i) ? padding : nan ? Float.NaN : 2 * rnd.nextFloat() - 1;
      }
      return v;
    }
  }
}
