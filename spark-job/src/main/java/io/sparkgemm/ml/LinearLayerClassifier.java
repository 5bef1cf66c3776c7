package io.sparkgemm.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.types.DataTypes;
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
  protected String loss() {
    return "softmax-ce";
  }

  @Override
  protected LabelKind labelKind() {
    return LabelKind.CLASSES;
  }

  @Override
  protected int outputs(Dataset<?> dataset, BlockedInput input) {
    List<Row> range = dataset.agg(min(col($(labelCol()))), max(col($(labelCol()))))
        .collectAsList();
    double low = ((Number) range.get(0).get(0)).doubleValue();
    double high = ((Number) range.get(0).get(1)).doubleValue();
    if (low < 0 || high != Math.rint(high)) {
      throw new IllegalArgumentException("Labels in " + $(labelCol()) + " must be class indices "
          + "0, 1, 2, ...; found values from " + low + " to " + high);
    }
    return Math.max(2, (int) high + 1);
  }

  @Override
  protected LinearLayerClassificationModel createModel(String uid, DenseBlock w, double[] b) {
    return new LinearLayerClassificationModel(uid, w, b);
  }

  @Override
  protected StructType outputSchema(StructType schema, boolean withOutputs) {
    schema.fieldIndex($(featuresCol()));
    schema.fieldIndex($(labelCol()));
    if (!withOutputs) {
      return schema;
    }
    return schema.add($(rawPredictionCol), new VectorUDT(), false)
        .add($(probabilityCol), new VectorUDT(), false)
        .add($(predictionCol()), DataTypes.DoubleType, false);
  }

  public static MLReader<LinearLayerClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static LinearLayerClassifier load(String path) {
    return read().load(path);
  }
}
