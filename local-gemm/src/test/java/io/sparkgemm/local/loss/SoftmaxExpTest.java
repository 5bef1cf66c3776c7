package io.sparkgemm.local.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The softmax's exp against {@link StrictMath#exp} (fdlibm, correctly rounded to < 1 ulp). */
class SoftmaxExpTest {
  /** |a − e| in units of e's last place, for e a normal number. */
  private static double ulps(double a, double e) {
    return Math.abs(a - e) / Math.ulp(e);
  }

  @Test
  void withinTwoUlpsOfStrictMathOverTheSoftmaxRange() {
    Random rnd = new Random(11);
    double worst = 0;
    double worstAt = 0;
    for (int i = 0; i < 200_000; i++) {
      // Most shifted logits are within a few units of the max; some are far below it.
      double t = i % 4 == 0 ? -708 * rnd.nextDouble() : -20 * rnd.nextDouble();
      double u = ulps(SoftmaxExp.exp(t), StrictMath.exp(t));
      if (u > worst) {
        worst = u;
        worstAt = t;
      }
    }
    assertThat(worst).as("worst at t = %s", worstAt).isLessThanOrEqualTo(2.0);
  }

  @Test
  void exactWhereTheAnswerIsExact() {
    assertThat(SoftmaxExp.exp(0.0)).isEqualTo(1.0);
    assertThat(SoftmaxExp.exp(-0.0)).isEqualTo(1.0);
    // e^(−10 ln2) = 2⁻¹⁰, up to the rounding of 10 ln2
    assertThat(SoftmaxExp.exp(-Math.log(2) * 10)).isCloseTo(0x1p-10, within(Math.ulp(0x1p-10)));
  }

  @Test
  void edgesOfTheDomain() {
    assertThat(SoftmaxExp.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(SoftmaxExp.exp(-708.5)).isEqualTo(0.0);
    assertThat(SoftmaxExp.exp(-1e300)).isEqualTo(0.0);
    assertThat(ulps(SoftmaxExp.exp(-707.9), StrictMath.exp(-707.9))).isLessThanOrEqualTo(2.0);
    assertThat(SoftmaxExp.exp(Double.NaN)).isNaN();
    assertThat(SoftmaxExp.exp(1.5)).isEqualTo(Math.exp(1.5));
    assertThat(SoftmaxExp.exp(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
  }
}
