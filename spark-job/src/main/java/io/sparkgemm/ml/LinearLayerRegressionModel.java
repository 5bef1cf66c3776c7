package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructType;

/** A multi-output linear regression Y = XW + b: prediction is a double for k = 1, else a vector. */
public final class LinearLayerRegressionModel
    extends LinearLayerModel<LinearLayerRegressionModel> {
  private static final long serialVersionUID = 1L;

  public LinearLayerRegressionModel(String uid, DenseBlock w, double[] b) {
    super(uid, w, b);
  }

  @Override
  protected StructType withOutputColumns(StructType schema) {
    return StageColumns.withRegression(schema, $(predictionCol()), numOutputs() == 1);
  }

  @Override
  protected Outputs outputs() {
    return StageColumns.regression();
  }

  @Override
  public LinearLayerRegressionModel copy(ParamMap extra) {
    LinearLayerRegressionModel copy = new LinearLayerRegressionModel(uid(), weights(), bias());
    return copyValues(copy, extra).setParent(parent());
  }

  public static MLReader<LinearLayerRegressionModel> read() {
    return new Reader<>(LinearLayerRegressionModel.class, LinearLayerRegressionModel::new);
  }

  public static LinearLayerRegressionModel load(String path) {
    return read().load(path);
  }
}
