package io.sparkgemm.ml;

import io.sparkgemm.local.net.Network;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;

/**
 * What both fitted models answer from their trained network. They extend different MLlib
 * classes (a classification and a regression model), so this is said once here, not in a
 * shared superclass.
 */
interface FittedNetwork {
  String uid();

  /** The trained network, or null in an empty model (made by a no-argument constructor). */
  TrainedNetwork trainedOrNull();

  /** The trained network; refused in an empty model. */
  default TrainedNetwork trained() {
    TrainedNetwork trained = trainedOrNull();
    if (trained == null) {
      throw new IllegalStateException("Model " + uid() + " is empty (no network): load or fit "
          + "one");
    }
    return trained;
  }

  /** The network d -> hidden layers -> k. */
  default Network network() {
    return trained().network();
  }

  /** θ, layer by layer (W_l row-major, then b_l); a copy. */
  default double[] theta() {
    return trained().theta();
  }

  /** W_l (d_l x d_{l+1}) for every layer, input side first. */
  default Matrix[] weights() {
    return trained().weights();
  }

  /** b_l for every layer, input side first. */
  default Vector[] biases() {
    return trained().biases();
  }

  /** Whether the model holds its training summary (a fitted or loaded one does). */
  default boolean hasSummary() {
    return trainedOrNull() != null && trainedOrNull().summary() != null;
  }

  /** How the model was trained; refused when {@link #hasSummary()} is false. */
  default NetworkTrainingSummary summary() {
    if (!hasSummary()) {
      throw new IllegalStateException("No training summary for " + uid()
          + ": the model was not trained here (hasSummary() is false)");
    }
    return trainedOrNull().summary();
  }
}
