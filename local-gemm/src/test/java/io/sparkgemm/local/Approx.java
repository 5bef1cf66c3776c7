package io.sparkgemm.local;

import static org.assertj.core.api.Assertions.fail;

/**
 * Element-wise closeness {@code |a − r| <= atol + rtol·|r|}; a failure names the index and both
 * values. NaN never passes.
 */
public final class Approx {
  private Approx() {
  }

  public static void assertClose(String what, double[] actual, double[] expected, double atol,
      double rtol) {
    if (actual.length != expected.length) {
      fail(what + ": length " + actual.length + " but expected " + expected.length);
    }
    for (int i = 0; i < actual.length; i++) {
      check(what, i, actual[i], expected[i], atol, rtol);
    }
  }

  public static void assertClose(String what, float[] actual, float[] expected, double atol,
      double rtol) {
    if (actual.length != expected.length) {
      fail(what + ": length " + actual.length + " but expected " + expected.length);
    }
    for (int i = 0; i < actual.length; i++) {
      check(what, i, actual[i], expected[i], atol, rtol);
    }
  }

  /** Compares a block with row arrays, naming (row, column) on failure. */
  public static void assertClose(String what, DenseBlock actual, double[][] expected, double atol,
      double rtol) {
    if (actual.numRows() != expected.length
        || (expected.length > 0 && actual.numCols() != expected[0].length)) {
      fail(what + ": shape " + actual.shape() + " but expected " + expected.length + "x"
          + (expected.length == 0 ? 0 : expected[0].length));
    }
    for (int r = 0; r < expected.length; r++) {
      for (int c = 0; c < expected[r].length; c++) {
        double a = actual.get(r, c);
        double e = expected[r][c];
        if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
          fail(what + " differs at (" + r + ", " + c + "): actual " + a + ", expected " + e
              + " (allowed " + (atol + rtol * Math.abs(e)) + ")");
        }
      }
    }
  }

  private static void check(String what, int i, double a, double e, double atol, double rtol) {
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      fail(what + " differs at index " + i + ": actual " + a + ", expected " + e + " (allowed "
          + (atol + rtol * Math.abs(e)) + ")");
    }
  }
}
