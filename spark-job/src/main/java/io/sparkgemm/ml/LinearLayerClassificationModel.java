package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructType;

/**
 * A softmax classifier Y = XW + b: rawPrediction = y (the logits), probability = softmax(y),
 * prediction = argmax(y) as a double class index, as MLlib's classifiers lay them out.
 */
public final class LinearLayerClassificationModel
    extends LinearLayerModel<LinearLayerClassificationModel> {
  private static final long serialVersionUID = 1L;

  private final Param<String> probabilityCol;
  private final Param<String> rawPredictionCol;

  public LinearLayerClassificationModel(String uid, DenseBlock w, double[] b) {
    super(uid, w, b);
    probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column");
    rawPredictionCol = new Param<>(this, "rawPredictionCol", "logits column");
    setDefault(probabilityCol, "probability");
    setDefault(rawPredictionCol, "rawPrediction");
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  public int numClasses() {
    return numOutputs();
  }

  @Override
  protected StructType withOutputColumns(StructType schema) {
    return StageColumns.withClassification(schema, $(rawPredictionCol), $(probabilityCol),
        $(predictionCol()));
  }

  @Override
  protected Outputs outputs() {
    return StageColumns.classification();
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
