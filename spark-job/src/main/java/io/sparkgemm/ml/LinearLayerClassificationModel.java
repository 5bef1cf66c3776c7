package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;

/**
 * A softmax classifier Y = XW + b: rawPrediction = y (the logits), probability = softmax(y),
 * prediction = argmax(y) as a double class index, as MLlib's classifiers lay them out.
 */
public final class LinearLayerClassificationModel
    extends LinearLayerModel<LinearLayerClassificationModel>
    implements ModelHead.Classification {
  private static final long serialVersionUID = 1L;

  private final Columns columns = new Columns(this);

  public LinearLayerClassificationModel(String uid, DenseBlock w, double[] b) {
    super(uid, w, b);
  }

  @Override
  public Columns classifierColumns() {
    return columns;
  }

  @Override
  public LinearLayerClassificationModel copy(ParamMap extra) {
    LinearLayerClassificationModel copy = new LinearLayerClassificationModel(uid(), weights(),
        bias());
    return copyValues(copy, extra).setParent(parent());
  }

  public static MLReader<LinearLayerClassificationModel> read() {
    return new Reader<>(LinearLayerClassificationModel.class,
        LinearLayerClassificationModel::new);
  }

  public static LinearLayerClassificationModel load(String path) {
    return read().load(path);
  }
}
