package io.sparkgemm.local;

import io.sparkgemm.local.backend.ReferenceGemm;
import io.sparkgemm.local.loss.Labels;
import io.sparkgemm.local.loss.LossHead;
import java.util.function.DoubleSupplier;

/**
 * Central finite-difference check of dW, dX and db for one layer and loss head.
 *
 * <p>The analytic gradients come from {@link LinearKernels} on the blocks as given (float64 or
 * float32, any backend). The numeric ones perturb each parameter by ±h in float64 and evaluate
 * the loss with the reference GEMM, so nothing is shared with the code under test but the loss
 * head's formula. Errors are norm-wise: {@code ||analytic − numeric|| / max(||analytic||,
 * ||numeric||)}, which stays meaningful when single entries are near zero.
 */
public final class GradientCheck {
  private static final LinearKernels REFERENCE = new LinearKernels(ReferenceGemm.INSTANCE);

  /** Relative errors per gradient. */
  public record Result(double dwError, double dxError, double dbError) {
    public double maxError() {
      return Math.max(dwError, Math.max(dxError, dbError));
    }
  }

  private GradientCheck() {
  }

  /**
   * @param x n x d, w d x k (same dtype), b length k; none is modified
   * @param labels what {@code head} needs, in float64 where it holds values
   * @param step finite-difference step h (relative to max(1, |θ|))
   */
  public static Result check(LinearKernels kernels, LossHead head, DenseBlock x, DenseBlock w,
      double[] b, Labels labels, double step) {
    DenseBlock y = kernels.forward(x, w, b);
    DenseBlock g = DenseBlock.zeros(y.dtype(), y.numRows(), y.numCols());
    head.lossAndGradient(y, labels, g);
    GradientAccumulator acc = new GradientAccumulator(w.numRows(), w.numCols());
    kernels.accumulateGradients(x, g, acc);
    DenseBlock dx = kernels.inputGradient(g, w);

    DenseBlock x64 = x.toDType(DType.FLOAT64);
    DenseBlock w64 = w.toDType(DType.FLOAT64);
    double[] b64 = b.clone();
    double[] numericDw = numeric(w64.doubles(), step, () -> loss(head, x64, w64, b64, labels));
    double[] numericDx = numeric(x64.doubles(), step, () -> loss(head, x64, w64, b64, labels));
    double[] numericDb = numeric(b64, step, () -> loss(head, x64, w64, b64, labels));
    return new Result(relativeError(acc.dw(), numericDw),
        relativeError(dx.toDType(DType.FLOAT64).doubles(), numericDx),
        relativeError(acc.db(), numericDb));
  }

  /** Loss of the whole layer in float64 with the reference GEMM. */
  public static double loss(LossHead head, DenseBlock x, DenseBlock w, double[] b, Labels labels) {
    DenseBlock y = REFERENCE.forward(x, w, b);
    return head.lossAndGradient(y, labels, DenseBlock.zeros(DType.FLOAT64, y.numRows(),
        y.numCols()));
  }

  private static double[] numeric(double[] theta, double step,
      DoubleSupplier loss) {
    double[] grad = new double[theta.length];
    for (int i = 0; i < theta.length; i++) {
      double saved = theta[i];
      double h = step * Math.max(1.0, Math.abs(saved));
      theta[i] = saved + h;
      double plus = loss.getAsDouble();
      theta[i] = saved - h;
      double minus = loss.getAsDouble();
      theta[i] = saved;
      grad[i] = (plus - minus) / (2 * h);
    }
    return grad;
  }

  /** {@code ||a − n|| / max(||a||, ||n||)}, 0 when both are zero. */
  public static double relativeError(double[] analytic, double[] numeric) {
    return Norms.symmetricRelativeError(analytic, numeric);
  }
}
