package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.train.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * Least squares over a network d -> hiddenLayers -> k, MLlib's way (a {@link Regressor}): the
 * Pipeline stage of {@code spark-gemm train --loss mse [--hidden ...]}, and with no hidden
 * layers and {@code optimizer = normal} of {@code spark-gemm solve}. The objective is
 * ||net(X) − T||²/n + (regParam/2)·Σ||W_l||², biases unpenalised. The label is a number (k = 1,
 * prediction a double, as MLlib's) or, beyond MLlib, a vector or array of k targets (prediction
 * a vector of k); see {@link NetworkRegressionModel}.
 */
public final class NetworkRegressor
    extends Regressor<Vector, NetworkRegressor, NetworkRegressionModel>
    implements TrainingParams<NetworkRegressor>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ForwardParams.Holder forwardParams;
  private final TrainingParams.Holder trainingParams;

  public NetworkRegressor() {
    this(Identifiable$.MODULE$.randomUID("networkRegressor"));
  }

  public NetworkRegressor(String uid) {
    this(StageUid.hold(uid));
  }

  private NetworkRegressor(StageUid held) {
    this.uid = held.take();
    forwardParams = new ForwardParams.Holder(this);
    List<String> optimizers = new ArrayList<>(Optimizer.LABELS);
    optimizers.add(NORMAL);
    trainingParams = new TrainingParams.Holder(this, optimizers);
  }

  @Override
  public String uid() {
    return uid != null ? uid : StageUid.pending();
  }

  @Override
  public ForwardParams.Holder forwardParams() {
    return forwardParams;
  }

  @Override
  public TrainingParams.Holder trainingParams() {
    return trainingParams;
  }

  /**
   * MLlib's fit without its cast of the label to double (a vector of targets has none): checks
   * the schema, trains, copies the Params to the model.
   */
  @Override
  public NetworkRegressionModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    NetworkRegressionModel model = train(dataset);
    model.setParent(this);
    return copyValues(model, ParamMap.empty());
  }

  @Override
  public NetworkRegressionModel train(Dataset<?> dataset) {
    NetworkTraining.Fitted fitted = NetworkTraining.fit(this, dataset, getFeaturesCol(),
        getLabelCol(), Loss.MSE, LabelKind.TARGETS, BlockedInput::labelWidth);
    return new NetworkRegressionModel(uid(), new TrainedNetwork(fitted.network(),
        fitted.theta(), fitted.summary()));
  }

  /**
   * MLlib's check with an array-of-numbers features column accepted, and a vector or array
   * label (k targets) besides a number: then the prediction is a vector.
   */
  @Override
  public StructType validateAndTransformSchema(StructType schema, boolean fitting,
      DataType featuresDataType) {
    return StageColumns.withTargetLabels(schema, getLabelCol(), getPredictionCol(),
        s -> StageColumns.withArrayFeatures(s, getFeaturesCol(),
            t -> super.validateAndTransformSchema(t, fitting, featuresDataType)));
  }

  @Override
  public NetworkRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<NetworkRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkRegressor load(String path) {
    return read().load(path);
  }
}
