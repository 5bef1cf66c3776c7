package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Norms and relative errors against values worked out by hand. */
class NormsTest {

  @Test
  void normIsEuclideanOverAllEntries() {
    // a 2 x 2 matrix's Frobenius norm: √(1 + 4 + 4 + 16) = 5
    assertThat(Norms.norm(new double[] {1, -2, 2, 4})).isEqualTo(5.0);
    assertThat(Norms.norm(new double[0])).isZero();
  }

  @Test
  void relativeErrorIsScaledByTheReference() {
    // ‖(3, 4) − (0, 0)‖ = 5; ref zero: the absolute error
    assertThat(Norms.relativeError(new double[] {3, 4}, new double[] {0, 0})).isEqualTo(5.0);
    // ‖(3, 4) − (3, 0)‖ / ‖(3, 0)‖ = 4 / 3
    assertThat(Norms.relativeError(new double[] {3, 4}, new double[] {3, 0}))
        .isEqualTo(Math.sqrt(16.0 / 9.0));
    assertThat(Norms.relativeError(2.5, 2.0)).isEqualTo(0.25);
    assertThat(Norms.relativeError(-1.5, 0.0)).isEqualTo(1.5);
  }

  @Test
  void symmetricErrorIsScaledByTheLargerNorm() {
    assertThat(Norms.symmetricRelativeError(new double[] {0, 0}, new double[] {0, 0})).isZero();
    // ‖(3, 4) − (0, 0)‖ / max(5, 0) = 1, whichever side is zero
    assertThat(Norms.symmetricRelativeError(new double[] {3, 4}, new double[] {0, 0}))
        .isEqualTo(1.0);
    assertThat(Norms.symmetricRelativeError(new double[] {0, 0}, new double[] {3, 4}))
        .isEqualTo(1.0);
  }

  @Test
  void maxErrorComparesTheLargestDifferenceWithTheLargestValue() {
    // max |diff| = 0.5 (second entry), max |ref| = 4
    assertThat(Norms.maxRelativeError(new double[] {1.25, -3.5}, new double[] {1, -4}))
        .isEqualTo(0.125);
    assertThat(Norms.maxRelativeError(new double[] {0.5}, new double[] {0})).isEqualTo(0.5);
  }

  @Test
  void lengthsMustMatch() {
    assertThatThrownBy(() -> Norms.relativeError(new double[2], new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot compare 2 values with 3");
  }
}
