package io.sparkgemm.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import breeze.linalg.DenseVector;
import breeze.optimize.CachedDiffFunction;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;

/**
 * The first L-BFGS step on quadratics f(x) = ½ Σ aᵢ (xᵢ − cᵢ)² from x = 0, where the minimiser
 * c and the passes Breeze's own search needs are known: its first trial moves by 1 along −∇f
 * and then grows by 1.5 per pass until |φ'| ≤ 0.9 |φ'(0)|, that is (isotropic case) until the
 * step reaches a tenth of ||c||.
 */
class FirstStepLbfgsTest {

  /** Evaluations (below Breeze's cache) per iteration, and the iterates. */
  private record Trace(List<Integer> evaluations, List<double[]> xs) {
  }

  private static Trace run(LBFGS<DenseVector<Object>> lbfgs, double[] a, double[] c) {
    int[] count = {0};
    Lbfgs.Calculation quadratic = v -> {
      count[0]++;
      double[] x = Lbfgs.values(v);
      double f = 0;
      double[] g = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        double e = x[i] - c[i];
        f += 0.5 * a[i] * e * e;
        g[i] = a[i] * e;
      }
      return new Tuple2<>(f, new DenseVector<Object>(g));
    };
    DiffFunction<DenseVector<Object>> cached = new CachedDiffFunction<>(
        Lbfgs.diffFunction(quadratic),
        DenseVector.canCopyDenseVector(ClassTag$.MODULE$.Double()));
    @SuppressWarnings({"unchecked", "rawtypes"})
    Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> states =
        (Iterator) lbfgs.iterations(cached, new DenseVector<Object>(new double[a.length]));
    List<Integer> evaluations = new ArrayList<>();
    List<double[]> xs = new ArrayList<>();
    while (states.hasNext()) {
      FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state = states.next();
      evaluations.add(count[0]);
      count[0] = 0;
      xs.add(Lbfgs.values(state.x()).clone());
    }
    return new Trace(evaluations, xs);
  }

  private static double[] filled(int n, double v) {
    double[] out = new double[n];
    Arrays.fill(out, v);
    return out;
  }

  @Test
  void farMinimiserIsReachedInTwoPassesWhereBreezeNeedsFive() {
    // Isotropic, ||c|| = 40: the slope along −∇f is linear, so the extrapolated step is exact.
    int n = 16;
    double[] a = filled(n, 3.0);
    double[] c = filled(n, 10.0);
    Trace ours = run(new FirstStepLbfgs(1, 5, 0), a, c);
    // iteration 0 evaluates x0; iteration 1: the unit trial, then the minimiser
    assertThat(ours.evaluations()).containsExactly(1, 2);
    for (double v : ours.xs().get(1)) {
      assertThat(v).isCloseTo(10.0, within(1e-12));
    }
    // Breeze's own search: steps 1, 1.5, 2.25, 3.375, 5.06 ≥ ||c||/10 = 4 → 5 passes.
    Trace breeze = run(new LBFGS<>(1, 5, 0, DenseVector.space_Double()), a, c);
    assertThat(breeze.evaluations()).containsExactly(1, 5);
  }

  @Test
  void aFirstTrialThatAlreadySatisfiesWolfeIsTheStep() {
    // ||c|| = 1: the unit trial lands on the minimiser, one pass as in Breeze.
    double[] a = filled(4, 2.0);
    double[] c = filled(4, 0.5);
    Trace ours = run(new FirstStepLbfgs(1, 5, 0), a, c);
    assertThat(ours.evaluations()).containsExactly(1, 1);
    for (double v : ours.xs().get(1)) {
      assertThat(v).isCloseTo(0.5, within(1e-12));
    }
  }

  @Test
  void illConditionedQuadraticStillConverges() {
    int n = 20;
    double[] a = new double[n];
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = Math.pow(10, -1 + 3.0 * i / (n - 1));   // 0.1 .. 100
      c[i] = 5.0 * Math.sin(i + 1.0);
    }
    Trace ours = run(new FirstStepLbfgs(200, 10, 0), a, c);
    assertThat(ours.evaluations().get(1)).isLessThanOrEqualTo(4);
    double[] last = ours.xs().get(ours.xs().size() - 1);
    for (int i = 0; i < n; i++) {
      assertThat(last[i]).as("x[%d] after %d iterations", i, ours.xs().size() - 1)
          .isCloseTo(c[i], within(1e-6));
    }
  }
}
