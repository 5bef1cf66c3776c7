package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * A network regression d -> hiddenLayers -> k with the mse loss: the MLlib Pipeline stage of
 * {@code spark-gemm train --loss mse --hidden ...}. The label is a number (k = 1) or a vector /
 * array of k targets; the objective is ||net(X) − T||²/n + (regParam/2)·Σ||W_l||².
 */
public final class NetworkRegressor extends NetworkEstimator<NetworkRegressionModel> {
  private static final long serialVersionUID = 1L;

  public NetworkRegressor() {
    this(Identifiable$.MODULE$.randomUID("networkRegressor"));
  }

  public NetworkRegressor(String uid) {
    super(uid);
  }

  @Override
  protected Loss loss() {
    return Loss.MSE;
  }

  @Override
  protected LabelKind labelKind() {
    return LabelKind.TARGETS;
  }

  @Override
  protected int outputs(Dataset<?> dataset, BlockedInput input) {
    return input.labelWidth();
  }

  @Override
  protected NetworkRegressionModel createModel(String uid, Network network, double[] theta) {
    return new NetworkRegressionModel(uid, network, theta);
  }

  @Override
  protected StructType outputSchema(StructType schema, boolean withOutputs) {
    return StageColumns.checkRegressorInput(schema, $(featuresCol()), $(labelCol()),
        $(predictionCol()), withOutputs);
  }

  public static MLReader<NetworkRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkRegressor load(String path) {
    return read().load(path);
  }
}
