package io.sparkgemm.ml;

import java.io.Serializable;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The two columns a classifier stage (estimator or model) writes besides prediction:
 * rawPrediction = y (the logits) and probability = softmax(y). MLlib Params belong to one
 * instance, so each stage makes its own {@link Columns} as it is constructed and returns it from
 * {@link #classifierColumns()}; the Params' accessors are said once here.
 */
public interface ClassifierColumns extends Params {
  /** This stage's two Params. */
  Columns classifierColumns();

  default Param<String> probabilityCol() {
    return classifierColumns().probabilityCol;
  }

  default Param<String> rawPredictionCol() {
    return classifierColumns().rawPredictionCol;
  }

  /** The two Params of one stage, their defaults set on it. */
  final class Columns implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    Columns(ClassifierColumns owner) {
      probabilityCol = new Param<>(owner, "probabilityCol", "class probabilities column");
      rawPredictionCol = new Param<>(owner, "rawPredictionCol", "logits column");
      owner.setDefault(probabilityCol, "probability");
      owner.setDefault(rawPredictionCol, "rawPrediction");
    }
  }
}
