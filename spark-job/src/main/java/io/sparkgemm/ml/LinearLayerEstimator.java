package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Init;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;

/**
 * What the two linear-layer estimators share: {@link #fit}, which blockifies and caches the
 * DataFrame once and runs the same training as {@code spark-gemm train} (objective: loss +
 * (regParam/2)·||W||², intercept unpenalised; see the README for how this maps onto MLlib's own
 * estimators). The Params are {@link LayerEstimator}'s.
 */
public abstract class LinearLayerEstimator<M extends LinearLayerModel<M>>
    extends LayerEstimator<M> {
  private static final long serialVersionUID = 1L;

  protected LinearLayerEstimator(String uid) {
    this(uid, false);
  }

  /** @param closedForm whether the optimizer may also be {@code normal} (the regressor) */
  protected LinearLayerEstimator(String uid, boolean closedForm) {
    super(uid, optimizers(closedForm), String.join(", ", Optimizer.LABELS)
        + (closedForm ? " (or normal: closed form)" : ""),
        Arrays.stream(Init.values()).map(Init::label).toList(),
        "initial W: zeros, xavier, he or orthogonal");
  }

  private static List<String> optimizers(boolean closedForm) {
    List<String> optimizers = new ArrayList<>(Optimizer.LABELS);
    if (closedForm) {
      optimizers.add(LinearLayerRegressor.NORMAL);
    }
    return optimizers;
  }

  /** The fitted model (Params are copied by {@link #fit}). */
  protected abstract M createModel(String uid, DenseBlock w, double[] b);

  /** The regressor's closed-form path; null when not applicable. */
  protected Trainer.Result solveInstead(SparkSession spark, BlockedInput input, int k) {
    return null;
  }

  @Override
  public M fit(Dataset<?> dataset) {
    outputSchema(dataset.schema(), false);
    SparkSession spark = dataset.sparkSession();
    BlockedInput input = block(dataset);
    try {
      int d = input.numFeatures();
      int k = outputs(dataset, input);
      Trainer.Result result = solveInstead(spark, input, k);
      if (result == null) {
        TrainSpec train = trainSpec().build();
        DenseBlock w0 = Init.parse($(init())).create(d, k, (Long) $(seed()));
        Objective objective = new Objective(spark, input, Network.linear(d, k), train);
        result = Trainer.train(objective, train, Trainer.Start.fresh(
            Theta.linear(w0, new double[k]).values()), (record, theta, velocity) -> { });
      }
      Theta theta = Theta.of(Network.linear(d, k), result.theta());
      return fitted(createModel(uid(), theta.weight(0), theta.bias(0)), result);
    } finally {
      input.release();
    }
  }
}
