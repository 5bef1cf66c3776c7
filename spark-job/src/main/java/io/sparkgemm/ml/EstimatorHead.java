package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * What an estimator's head decides, whatever trains y (a linear layer or a network): the loss,
 * the labels, k and the columns. {@link Classifier} and {@link Regressor} say it once for both
 * kinds of estimator; {@link LayerEstimator} does the rest.
 */
public interface EstimatorHead extends Params {
  Param<String> featuresCol();

  Param<String> labelCol();

  Param<String> predictionCol();

  /** mse or softmax-ce. */
  Loss loss();

  LabelKind labelKind();

  /** k, the number of outputs, once the input is blocked. */
  int outputs(Dataset<?> dataset, BlockedInput input);

  /** Checks the input columns; with {@code withOutputs}, adds the model's output columns. */
  StructType outputSchema(StructType schema, boolean withOutputs);

  /**
   * softmax-ce over class indices 0..k−1 (k = the largest label + 1, at least 2); writes
   * rawPrediction, probability and prediction.
   *
   * @param <T> the estimator, which the setters return
   */
  interface Classifier<T extends Classifier<T>> extends EstimatorHead, ClassifierColumns {
    @Override
    default Loss loss() {
      return Loss.SOFTMAX_CE;
    }

    @Override
    default LabelKind labelKind() {
      return LabelKind.CLASSES;
    }

    @Override
    default int outputs(Dataset<?> dataset, BlockedInput input) {
      return StageColumns.numClasses(input, $(labelCol()));
    }

    @Override
    default StructType outputSchema(StructType schema, boolean withOutputs) {
      return StageColumns.checkClassifierInput(schema, $(featuresCol()), $(labelCol()),
          $(rawPredictionCol()), $(probabilityCol()), $(predictionCol()), withOutputs);
    }

    @SuppressWarnings("unchecked")
    default T setProbabilityCol(String value) {
      set(probabilityCol(), value);
      return (T) this;
    }

    @SuppressWarnings("unchecked")
    default T setRawPredictionCol(String value) {
      set(rawPredictionCol(), value);
      return (T) this;
    }
  }

  /** mse over k targets (a number is k = 1); writes prediction. */
  interface Regressor extends EstimatorHead {
    @Override
    default Loss loss() {
      return Loss.MSE;
    }

    @Override
    default LabelKind labelKind() {
      return LabelKind.TARGETS;
    }

    @Override
    default int outputs(Dataset<?> dataset, BlockedInput input) {
      return input.labelWidth();
    }

    @Override
    default StructType outputSchema(StructType schema, boolean withOutputs) {
      return StageColumns.checkRegressorInput(schema, $(featuresCol()), $(labelCol()),
          $(predictionCol()), withOutputs);
    }
  }
}
