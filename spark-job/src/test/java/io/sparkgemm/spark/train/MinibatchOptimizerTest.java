package io.sparkgemm.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.sparkgemm.local.loss.Loss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * sgd, momentum, Nesterov, Adam and the schedules against steps worked by hand on
 * f(θ) = ½·Σ a_i θ_i² (∇f = a ⊙ θ), θ₀ = (1, −2), a = (1, 4), lr = 0.1; and minibatch runs
 * resumed from a mid-epoch state against runs that never stopped, bit for bit.
 */
class MinibatchOptimizerTest {
  private static final Offset<Double> TIGHT = Offset.offset(1e-12);

  /** θ after {@code steps} updates on the quadratic. */
  private static double[] quadratic(TrainSpec spec, boolean[] mask, int steps) {
    double[] a = {1, 4};
    double[] theta = {1, -2};
    MinibatchState state = MinibatchState.fresh(spec, 2);
    for (int s = 0; s < steps; s++) {
      double[] g = {a[0] * theta[0], a[1] * theta[1]};
      Updates.apply(spec, theta, g, spec.learningRate(), mask, state);
      state.step++;
    }
    return theta;
  }

  private static TrainSpec.Builder sgd() {
    return TrainSpec.builder(Loss.MSE).optimizer(Optimizer.SGD).learningRate(0.1);
  }

  private static final boolean[] ALL = {true, true};

  @Test
  void sgdMomentumAndNesterovTakeTheHandWorkedSteps() {
    // g0 = (1, −8): θ1 = (0.9, −1.2); g1 = (0.9, −4.8): θ2 = (0.81, −0.72)
    double[] plain = quadratic(sgd().build(), ALL, 2);
    assertThat(plain[0]).isCloseTo(0.81, TIGHT);
    assertThat(plain[1]).isCloseTo(-0.72, TIGHT);
    // μ = 0.5: v1 = (1, −8), θ1 = (0.9, −1.2); v2 = (0.5 + 0.9, −4 − 4.8), θ2 = θ1 − 0.1·v2
    double[] heavy = quadratic(sgd().momentum(0.5).build(), ALL, 2);
    assertThat(heavy[0]).isCloseTo(0.76, TIGHT);
    assertThat(heavy[1]).isCloseTo(-0.32, TIGHT);
    // Nesterov: θ1 = θ0 − 0.1·(g0 + 0.5·v1) = (0.85, −0.8); g1 = (0.85, −3.2),
    // v2 = (1.35, −7.2), θ2 = θ1 − 0.1·(g1 + 0.5·v2) = (0.6975, −0.12)
    double[] nesterov = quadratic(sgd().momentum(0.5).nesterov(true).build(), ALL, 2);
    assertThat(nesterov[0]).isCloseTo(0.6975, TIGHT);
    assertThat(nesterov[1]).isCloseTo(-0.12, TIGHT);
    // L2 through the gradient, λ = 0.5 on θ_0 only: g0' = (1 + 0.5, −8), θ1 = (0.85, −1.2)
    double[] decayed = quadratic(sgd().weightDecay(0.5).build(), new boolean[] {true, false}, 1);
    assertThat(decayed[0]).isCloseTo(0.85, TIGHT);
    assertThat(decayed[1]).isCloseTo(-1.2, TIGHT);
  }

  @Test
  void adamTakesTheHandWorkedStepsWithBiasCorrection() {
    TrainSpec adam = TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).learningRate(0.1)
        .build();
    // t = 1: m̂ = g, v̂ = g², θ1 = θ0 − 0.1·g / (|g| + 1e-8)
    double[] one = quadratic(adam, ALL, 1);
    double x1 = 1 - 0.1 * 1 / (1 + 1e-8);
    double y1 = -2 + 0.1 * 8 / (8 + 1e-8);
    assertThat(one[0]).isCloseTo(x1, TIGHT);
    assertThat(one[1]).isCloseTo(y1, TIGHT);
    // t = 2 with g1 = (x1, 4·y1): m = 0.09·g0 + 0.1·g1, v = 0.000999·g0² + 0.001·g1²,
    // m̂ = m / 0.19, v̂ = v / 0.001999
    double[] two = quadratic(adam, ALL, 2);
    double[] g0 = {1, -8};
    double[] g1 = {x1, 4 * y1};
    double[] want = {x1, y1};
    for (int i = 0; i < 2; i++) {
      double mHat = (0.09 * g0[i] + 0.1 * g1[i]) / 0.19;
      double vHat = (0.000999 * g0[i] * g0[i] + 0.001 * g1[i] * g1[i]) / 0.001999;
      want[i] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
    }
    assertThat(two[0]).isCloseTo(want[0], TIGHT);
    assertThat(two[1]).isCloseTo(want[1], TIGHT);
    assertThat(two[0]).isCloseTo(0.80041, Offset.offset(1e-5));
    // decoupled decay λ = 0.5 on θ_0 only: θ1 = θ0 − 0.1·(g/(|g| + ε) + 0.5·θ0)
    double[] decayed = quadratic(TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM)
        .learningRate(0.1).weightDecay(0.5).build(), new boolean[] {true, false}, 1);
    assertThat(decayed[0]).isCloseTo(1 - 0.1 * (1 / (1 + 1e-8) + 0.5), TIGHT);
    assertThat(decayed[1]).isCloseTo(y1, TIGHT);
  }

  @Test
  void schedulesGiveTheirRatesAtChosenSteps() {
    TrainSpec warm = sgd().learningRate(1).warmupSteps(4).build();
    assertThat(LrSchedule.at(warm, 0, 100)).isEqualTo(0.25);
    assertThat(LrSchedule.at(warm, 2, 100)).isEqualTo(0.75);
    assertThat(LrSchedule.at(warm, 3, 100)).isEqualTo(1.0);
    assertThat(LrSchedule.at(warm, 99, 100)).isEqualTo(1.0);
    TrainSpec step = sgd().learningRate(1).lrSchedule(LrSchedule.STEP).lrStepEvery(10)
        .lrGamma(0.5).build();
    assertThat(LrSchedule.at(step, 9, 100)).isEqualTo(1.0);
    assertThat(LrSchedule.at(step, 10, 100)).isEqualTo(0.5);
    assertThat(LrSchedule.at(step, 25, 100)).isEqualTo(0.25);
    // cosine over T = 104 after 4 warm-up steps: 1 at s = 4, ½ halfway (s = 54),
    // (1 + cos(0.99π))/2 at the last step, 0 one step past it
    TrainSpec cosine = sgd().learningRate(1).lrSchedule(LrSchedule.COSINE).warmupSteps(4)
        .build();
    assertThat(LrSchedule.at(cosine, 1, 104)).isEqualTo(0.5);
    assertThat(LrSchedule.at(cosine, 4, 104)).isEqualTo(1.0);
    assertThat(LrSchedule.at(cosine, 54, 104)).isCloseTo(0.5, TIGHT);
    assertThat(LrSchedule.at(cosine, 103, 104)).isCloseTo(2.4671981713420e-4,
        Offset.offset(1e-15));
    assertThat(LrSchedule.at(cosine, 104, 104)).isCloseTo(0, TIGHT);
    TrainSpec floor = sgd().learningRate(1).lrSchedule(LrSchedule.COSINE).lrMin(0.1).build();
    assertThat(LrSchedule.at(floor, 50, 100)).isCloseTo(0.55, TIGHT);
  }

  @Test
  void badMinibatchSettingsAreRefusedNamingTheParameter() {
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).batchRows(64).build())
        .hasMessage("batchRows is for the minibatch optimizers sgd and adam; lbfgs trains "
            + "full-batch (all rows every iteration)");
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).optimizer(Optimizer.GD).epochs(3)
        .build()).hasMessageStartingWith("epochs is for the minibatch optimizers");
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).beta1(1)
        .build()).hasMessage("beta1 must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM)
        .epsilon(0).build()).hasMessage("epsilon must be > 0, got 0.0");
    assertThatThrownBy(() -> sgd().lrSchedule(LrSchedule.STEP).build())
        .hasMessage("lrStepEvery must be >= 1 for the step schedule, got 0");
    assertThatThrownBy(() -> sgd().hiddenSizes(4, 0).build())
        .hasMessage("hiddenSizes must all be >= 1, got [4, 0]");
    assertThatThrownBy(() -> sgd().init("magic").build())
        .hasMessage("Unknown init 'magic': expected one of auto, he, xavier, zeros");
    TrainSpec defaults = sgd().build();
    assertThat(defaults.batchRows()).isEqualTo(256);
    assertThat(defaults.epochs()).isEqualTo(10);
  }

  /** Least squares over n rows in d features, minibatches of a seeded permutation per epoch. */
  static final class InMemoryObjective implements BatchObjective {
    final double[][] x;
    final double[] y;
    int evaluations;

    InMemoryObjective(int n, int d, long seed) {
      Random r = new Random(seed);
      x = new double[n][d];
      y = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          x[i][j] = r.nextGaussian();
        }
        y[i] = Math.sin(x[i][0]) + 0.1 * r.nextGaussian();
      }
    }

    @Override
    public int numParameters() {
      return x[0].length + 1;
    }

    @Override
    public boolean[] weightMask() {
      boolean[] mask = new boolean[numParameters()];
      Arrays.fill(mask, 0, x[0].length, true);
      return mask;
    }

    @Override
    public int stepsPerEpoch(int batchRows) {
      return (x.length + batchRows - 1) / batchRows;
    }

    @Override
    public Step evaluateBatch(double[] theta, long seed, int epoch, int step, int batchRows,
        int iteration) {
      evaluations++;
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < x.length; i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(seed * 1_000_003 + epoch));
      int d = x[0].length;
      double[] g = new double[d + 1];
      double loss = 0;
      int from = step * batchRows;
      int to = Math.min(x.length, from + batchRows);
      for (int i = from; i < to; i++) {
        int row = order.get(i);
        double r = theta[d] - y[row];
        for (int j = 0; j < d; j++) {
          r += x[row][j] * theta[j];
        }
        loss += 0.5 * r * r;
        for (int j = 0; j < d; j++) {
          g[j] += r * x[row][j];
        }
        g[d] += r;
      }
      int rows = to - from;
      for (int j = 0; j <= d; j++) {
        g[j] /= rows;
      }
      return new Step(loss / rows, loss / rows, g, rows);
    }
  }

  /** A run stopped after {@code stopAfter} steps (its θ and state kept) and resumed to the end. */
  private static Trainer.Result resumed(TrainSpec spec, int stopAfter) {
    double[][] keptTheta = new double[1][];
    MinibatchState[] keptState = new MinibatchState[1];
    List<IterationRecord> keptHistory = new ArrayList<>();
    Trainer.Listener snapshot = new Trainer.Listener() {
      @Override
      public void onIteration(IterationRecord record, double[] theta, double[] velocity) {
        if (keptState[0] == null) {
          keptHistory.add(record);
        }
      }

      @Override
      public void onStep(StepRecord record, double[] theta, MinibatchState state) {
        if (record.step() == stopAfter) {
          keptTheta[0] = theta.clone();
          keptState[0] = state.copy();
        }
      }
    };
    Trainer.trainMinibatch(new InMemoryObjective(50, 3, 1), spec, Trainer.Start.fresh(
        new double[4]), snapshot);
    Trainer.Start start = new Trainer.Start(keptTheta[0], stopAfter, null, keptHistory,
        keptState[0]);
    return Trainer.trainMinibatch(new InMemoryObjective(50, 3, 1), spec, start,
        new Trainer.Listener() {
          @Override
          public void onIteration(IterationRecord record, double[] theta, double[] velocity) {
          }
        });
  }

  @Test
  void aResumedRunEqualsAnUninterruptedOneBitForBit() {
    TrainSpec[] specs = {
        sgd().batchRows(8).epochs(3).momentum(0.9).nesterov(true).weightDecay(0.01)
            .lrSchedule(LrSchedule.COSINE).warmupSteps(3).seed(5).build(),
        TrainSpec.builder(Loss.MSE).optimizer(Optimizer.ADAM).learningRate(0.05).batchRows(8)
            .epochs(3).weightDecay(0.01).lrSchedule(LrSchedule.STEP).lrStepEvery(4).seed(5)
            .build()};
    for (TrainSpec spec : specs) {
      InMemoryObjective objective = new InMemoryObjective(50, 3, 1);
      Trainer.Result straight = Trainer.trainMinibatch(objective, spec,
          Trainer.Start.fresh(new double[4]), (r, t, v) -> { });
      // 50 rows in 8s: 7 steps an epoch, 21 in all
      assertThat(objective.evaluations).isEqualTo(21);
      assertThat(straight.epochs()).hasSize(3);
      assertThat(straight.history()).hasSize(3);
      assertThat(straight.epochs().get(2).step()).isEqualTo(21);
      assertThat(straight.epochs().get(2).objective())
          .isLessThan(straight.epochs().get(0).objective());
      for (int stopAfter : new int[] {3, 7, 10}) {
        Trainer.Result again = resumed(spec, stopAfter);
        assertArrayEquals(bits(straight.theta()), bits(again.theta()),
            spec.optimizer() + " resumed after step " + stopAfter);
        assertThat(again.epochs()).isEqualTo(straight.epochs().stream().map(e ->
            new EpochRecord(e.epoch(), e.step(), e.objective(), e.loss(), e.gradientNorm(),
                e.learningRate(), e.rows(), again.epochs().get(e.epoch() - 1).seconds()))
            .toList());
      }
    }
  }

  private static long[] bits(double[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Double.doubleToLongBits(values[i]);
    }
    return out;
  }

  @Test
  void aNonFiniteLossStopsWithTheStepAndEpoch() {
    TrainSpec spec = sgd().learningRate(1e6).batchRows(8).epochs(50).build();
    assertThatThrownBy(() -> Trainer.trainMinibatch(new InMemoryObjective(50, 3, 1), spec,
        Trainer.Start.fresh(new double[4]), (r, t, v) -> { }))
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("Training diverged at step")
        .hasMessageMatching("(?s).*(is not finite|exceeds 1e6 × max\\(1, the first step's).*");
  }
}
