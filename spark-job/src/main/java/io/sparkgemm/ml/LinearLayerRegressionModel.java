package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;

/** A multi-output linear regression Y = XW + b: prediction is a double for k = 1, else a vector. */
public final class LinearLayerRegressionModel
    extends LinearLayerModel<LinearLayerRegressionModel>
    implements ModelHead.Regression {
  private static final long serialVersionUID = 1L;

  public LinearLayerRegressionModel(String uid, DenseBlock w, double[] b) {
    super(uid, w, b);
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
