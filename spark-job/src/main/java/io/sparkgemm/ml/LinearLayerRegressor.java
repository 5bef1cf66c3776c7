package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.RidgeSolver;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.train.NormalEquations;
import io.sparkgemm.spark.train.StopReason;
import io.sparkgemm.spark.train.Trainer;
import java.util.List;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.SparkSession;

/**
 * Multi-output least squares as a linear layer with the mse loss: the MLlib Pipeline stage of
 * {@code spark-gemm train --loss mse} (optimizer lbfgs or gd) and of {@code spark-gemm solve}
 * (optimizer normal). The label is a number (k = 1) or a vector / array of k targets. The
 * objective is ||XW + b − T||²/n + (regParam/2)·||W||², b unpenalised (see the README for the
 * mapping onto MLlib's LinearRegression, whose L2 term is scaled by the label's std).
 */
public final class LinearLayerRegressor extends LinearLayerEstimator<LinearLayerRegressionModel>
    implements EstimatorHead.Regressor {
  private static final long serialVersionUID = 1L;

  public LinearLayerRegressor() {
    this(Identifiable$.MODULE$.randomUID("linearLayerRegressor"));
  }

  public LinearLayerRegressor(String uid) {
    super(uid, true);
  }

  /** The optimizer value that solves the normal equations instead of iterating. */
  static final String NORMAL = "normal";

  @Override
  protected Trainer.Result solveInstead(SparkSession spark, BlockedInput input, int k) {
    if (!$(optimizer()).equals(NORMAL)) {
      return null;
    }
    NormalEquations.Sums sums = NormalEquations.compute(spark, input, backendOptions(), 0);
    RidgeSolver.Solution s = RidgeSolver.solve(sums.gram(), sums.rhs(), sums.inFeatures(), k,
        sums.numRows() * (Double) $(regParam()) / 2);
    return new Trainer.Result(Theta.linear(s.w(), s.b()).values(), List.of(),
        StopReason.CLOSED_FORM,
        1, sums.seconds());
  }

  @Override
  protected LinearLayerRegressionModel createModel(String uid, DenseBlock w, double[] b) {
    return new LinearLayerRegressionModel(uid, w, b);
  }

  public static MLReader<LinearLayerRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static LinearLayerRegressor load(String path) {
    return read().load(path);
  }
}
