package io.sparkgemm.ml;

import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.train.ClassCount;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * The columns classifiers and regressors read and write, whatever computes y: a classifier
 * appends rawPrediction = y (the logits), probability = softmax(y) and prediction = argmax(y) as
 * a double class index, as MLlib's classifiers lay them out; a regressor appends prediction = y,
 * a double for k = 1, else a vector.
 */
final class StageColumns {
  private StageColumns() {
  }

  /** The classifier's output columns, in {@link #classification()}'s order. */
  static StructType withClassification(StructType schema, String rawPredictionCol,
      String probabilityCol, String predictionCol) {
    return schema.add(rawPredictionCol, new VectorUDT(), false)
        .add(probabilityCol, new VectorUDT(), false)
        .add(predictionCol, DataTypes.DoubleType, false);
  }

  /** The regressor's output column: a double for one output, else a vector. */
  static StructType withRegression(StructType schema, String predictionCol, boolean scalar) {
    return schema.add(predictionCol, scalar ? DataTypes.DoubleType : new VectorUDT(), false);
  }

  /** A classifier's input check: both columns exist; with outputs, adds the output columns. */
  static StructType checkClassifierInput(StructType schema, String featuresCol,
      String labelCol, String rawPredictionCol, String probabilityCol, String predictionCol,
      boolean withOutputs) {
    schema.fieldIndex(featuresCol);
    schema.fieldIndex(labelCol);
    return withOutputs ? withClassification(schema, rawPredictionCol, probabilityCol,
        predictionCol) : schema;
  }

  /** A regressor's input check: both columns exist (the label's type says the output's). */
  static StructType checkRegressorInput(StructType schema, String featuresCol, String labelCol,
      String predictionCol, boolean withOutputs) {
    schema.fieldIndex(featuresCol);
    int label = schema.fieldIndex(labelCol);
    if (!withOutputs) {
      return schema;
    }
    return withRegression(schema, predictionCol,
        schema.fields()[label].dataType() instanceof NumericType);
  }

  /** y to (y, softmax(y), argmax(y)). */
  static LayerModel.Outputs classification() {
    return y -> {
      int best = 0;
      for (int j = 1; j < y.length; j++) {
        if (y[j] > y[best]) {
          best = j;
        }
      }
      double sum = 0;
      double[] p = new double[y.length];
      for (int j = 0; j < y.length; j++) {
        p[j] = Math.exp(y[j] - y[best]);
        sum += p[j];
      }
      for (int j = 0; j < y.length; j++) {
        p[j] /= sum;
      }
      return new Object[] {Vectors.dense(y), Vectors.dense(p), (double) best};
    };
  }

  /** y to y: a double for k = 1, else a vector. */
  static LayerModel.Outputs regression() {
    return y -> new Object[] {y.length == 1 ? (Object) y[0] : Vectors.dense(y)};
  }

  /** k of a classifier: the largest class id + 1, at least 2. */
  static int numClasses(BlockedInput input, String labelCol) {
    // the blocks' class ids were checked to be integers as they were made
    return Math.max(2, ClassCount.fromBlocks(input, "column '" + labelCol + "'").numClasses());
  }
}
