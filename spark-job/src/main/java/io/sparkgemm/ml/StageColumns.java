package io.sparkgemm.ml;

import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.pass.RowSoftmax;
import io.sparkgemm.spark.train.ClassCount;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns the stages read and write. Features are a vector, as MLlib's, or an
 * array of numbers; a classifier appends rawPrediction = y (the logits), probability =
 * softmax(y) and prediction (argmax, or MLlib's thresholds rule), as MLlib's probabilistic
 * classifiers do; a regressor appends prediction = y, a double for k = 1, else a vector.
 */
final class StageColumns {
  private StageColumns() {
  }

  /** Whether {@code type} is an array of numbers (the features' other accepted type). */
  static boolean isNumberArray(DataType type) {
    return type instanceof ArrayType array && array.elementType() instanceof NumericType;
  }

  /**
   * MLlib's schema check and output schema ({@code check}) with an array-of-numbers features
   * column accepted too: checked as if it were a vector, then given back its own type.
   */
  static StructType withArrayFeatures(StructType schema, String featuresCol,
      UnaryOperator<StructType> check) {
    if (!Arrays.asList(schema.fieldNames()).contains(featuresCol)) {
      return check.apply(schema);
    }
    StructField features = schema.apply(featuresCol);
    if (!isNumberArray(features.dataType())) {
      return check.apply(schema);
    }
    StructType out = check.apply(replace(schema, featuresCol, new VectorUDT()));
    return replace(out, featuresCol, features.dataType());
  }

  /**
   * A regressor's check ({@code check}, MLlib's) with a vector or array label of k targets
   * accepted too: checked as if it were a number, the prediction then a vector.
   */
  static StructType withTargetLabels(StructType schema, String labelCol, String predictionCol,
      UnaryOperator<StructType> check) {
    if (!Arrays.asList(schema.fieldNames()).contains(labelCol)) {
      return check.apply(schema);
    }
    DataType label = schema.apply(labelCol).dataType();
    if (!(label instanceof VectorUDT) && !isNumberArray(label)) {
      return check.apply(schema);
    }
    StructType out = replace(check.apply(replace(schema, labelCol, DataTypes.DoubleType)),
        labelCol, label);
    return predictionCol.isEmpty() ? out : vectorPrediction(out, predictionCol);
  }

  /** {@code schema} with the prediction a vector (k > 1 outputs), without a number's metadata. */
  static StructType vectorPrediction(StructType schema, String predictionCol) {
    StructField[] fields = schema.fields().clone();
    int i = schema.fieldIndex(predictionCol);
    fields[i] = new StructField(predictionCol, new VectorUDT(), false, Metadata.empty());
    return new StructType(fields);
  }

  /** {@code schema} with {@code name}'s type replaced, its place and metadata kept. */
  static StructType replace(StructType schema, String name, DataType type) {
    StructField[] fields = schema.fields().clone();
    int i = schema.fieldIndex(name);
    fields[i] = new StructField(name, type, fields[i].nullable(), fields[i].metadata());
    return new StructType(fields);
  }

  /** The columns named and not empty, in {@code out}'s fields (their types and metadata). */
  static StructType select(StructType out, String... names) {
    StructType selected = new StructType();
    for (String name : names) {
      if (!name.isEmpty()) {
        selected = selected.add(out.apply(name));
      }
    }
    return selected;
  }

  /**
   * MLlib's prediction from raw and probability: argmax(raw) without thresholds, else
   * argmax(p_j / t_j) (t_j = 0: infinity); ties go to the lowest index, as Vector.argmax.
   */
  static double prediction(double[] raw, double[] probability, double[] thresholds) {
    if (thresholds == null) {
      return argmax(raw);
    }
    double[] scaled = new double[probability.length];
    for (int j = 0; j < scaled.length; j++) {
      scaled[j] = thresholds[j] == 0 ? Double.POSITIVE_INFINITY : probability[j] / thresholds[j];
    }
    return argmax(scaled);
  }

  private static int argmax(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) {
      if (v[j] > v[best]) {
        best = j;
      }
    }
    return best;
  }

  /**
   * y to the classifier's columns that are not switched off (an empty name), in MLlib's
   * transform order: rawPrediction, probability, prediction.
   */
  static TrainedNetwork.Outputs classification(boolean raw, boolean probability,
      boolean prediction, double[] thresholds) {
    return y -> {
      double[] p = y.clone();
      RowSoftmax.inPlace(p);
      Object[] out = new Object[(raw ? 1 : 0) + (probability ? 1 : 0) + (prediction ? 1 : 0)];
      int i = 0;
      if (raw) {
        out[i++] = Vectors.dense(y);
      }
      if (probability) {
        out[i++] = Vectors.dense(p);
      }
      if (prediction) {
        out[i] = prediction(y, p, thresholds);
      }
      return out;
    };
  }

  /** y to the regressor's prediction: a double for k = 1, else a vector (none if switched off). */
  static TrainedNetwork.Outputs regression(boolean prediction) {
    return y -> !prediction ? new Object[0]
        : new Object[] {y.length == 1 ? (Object) y[0] : (Vector) Vectors.dense(y)};
  }

  /** k of a classifier: the largest class id + 1, at least 2. */
  static int numClasses(BlockedInput input, String labelCol) {
    // the blocks' class ids were checked to be integers as they were made
    return Math.max(2, ClassCount.fromBlocks(input, "column '" + labelCol + "'").numClasses());
  }
}
