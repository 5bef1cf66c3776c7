package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Multinomial logistic regression as a linear layer with the softmax-ce loss: the MLlib
 * Pipeline stage of {@code spark-gemm train --loss softmax-ce}. Labels are class indices
 * 0..k−1 (k = the largest label + 1). The objective is mean cross-entropy +
 * (regParam/2)·||W||², intercepts unpenalised: MLlib's LogisticRegression objective with
 * {@code family=multinomial, elasticNetParam=0, standardization=false}.
 */
public final class LinearLayerClassifier
    extends LinearLayerEstimator<LinearLayerClassificationModel> {
  private static final long serialVersionUID = 1L;

  private final Param<String> probabilityCol;
  private final Param<String> rawPredictionCol;

  public LinearLayerClassifier() {
    this(Identifiable$.MODULE$.randomUID("linearLayerClassifier"));
  }

  public LinearLayerClassifier(String uid) {
    super(uid);
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

  public LinearLayerClassifier setProbabilityCol(String value) {
    set(probabilityCol, value);
    return this;
  }

  public LinearLayerClassifier setRawPredictionCol(String value) {
    set(rawPredictionCol, value);
    return this;
  }

  @Override
  protected Loss loss() {
    return Loss.SOFTMAX_CE;
  }

  @Override
  protected LabelKind labelKind() {
    return LabelKind.CLASSES;
  }

  @Override
  protected int outputs(Dataset<?> dataset, BlockedInput input) {
    return StageColumns.numClasses(input, $(labelCol()));
  }

  @Override
  protected LinearLayerClassificationModel createModel(String uid, DenseBlock w, double[] b) {
    return new LinearLayerClassificationModel(uid, w, b);
  }

  @Override
  protected StructType outputSchema(StructType schema, boolean withOutputs) {
    return StageColumns.checkClassifierInput(schema, $(featuresCol()), $(labelCol()),
        $(rawPredictionCol), $(probabilityCol), $(predictionCol()), withOutputs);
  }

  public static MLReader<LinearLayerClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static LinearLayerClassifier load(String path) {
    return read().load(path);
  }
}
