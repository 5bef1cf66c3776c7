package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.StructType;

/**
 * What a fitted model's head decides, whatever computes y (a linear layer or a network): the
 * loss it was trained with and the columns it appends. {@link Classification} and
 * {@link Regression} say it once for both kinds of model; {@link LayerModel} does the rest.
 */
public interface ModelHead extends Params {
  Param<String> predictionCol();

  /** k, the outputs per row. */
  int numOutputs();

  /** The loss the model was trained with. */
  Loss loss();

  /** The output columns' function; captures nothing large (it travels with every task). */
  LayerModel.Outputs outputs();

  /** Adds the output columns to {@code schema}. */
  StructType withOutputColumns(StructType schema);

  /** rawPrediction = y, probability = softmax(y), prediction = argmax(y). */
  interface Classification extends ModelHead, ClassifierColumns {
    default int numClasses() {
      return numOutputs();
    }

    @Override
    default Loss loss() {
      return Loss.SOFTMAX_CE;
    }

    @Override
    default StructType withOutputColumns(StructType schema) {
      return StageColumns.withClassification(schema, $(rawPredictionCol()),
          $(probabilityCol()), $(predictionCol()));
    }

    @Override
    default LayerModel.Outputs outputs() {
      return StageColumns.classification();
    }
  }

  /** prediction = y: a double for k = 1, else a vector. */
  interface Regression extends ModelHead {
    @Override
    default Loss loss() {
      return Loss.MSE;
    }

    @Override
    default StructType withOutputColumns(StructType schema) {
      return StageColumns.withRegression(schema, $(predictionCol()), numOutputs() == 1);
    }

    @Override
    default LayerModel.Outputs outputs() {
      return StageColumns.regression();
    }
  }
}
