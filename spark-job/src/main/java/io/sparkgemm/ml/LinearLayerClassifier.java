package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Multinomial logistic regression as a linear layer with the softmax-ce loss: the MLlib
 * Pipeline stage of {@code spark-gemm train --loss softmax-ce}. Labels are class indices
 * 0..k−1 (k = the largest label + 1). The objective is mean cross-entropy +
 * (regParam/2)·||W||², intercepts unpenalised: MLlib's LogisticRegression objective with
 * {@code family=multinomial, elasticNetParam=0, standardization=false}.
 */
public final class LinearLayerClassifier
    extends LinearLayerEstimator<LinearLayerClassificationModel>
    implements EstimatorHead.Classifier<LinearLayerClassifier> {
  private static final long serialVersionUID = 1L;

  private final Columns columns = new Columns(this);

  public LinearLayerClassifier() {
    this(Identifiable$.MODULE$.randomUID("linearLayerClassifier"));
  }

  public LinearLayerClassifier(String uid) {
    super(uid);
  }

  @Override
  public Columns classifierColumns() {
    return columns;
  }

  @Override
  protected LinearLayerClassificationModel createModel(String uid, DenseBlock w, double[] b) {
    return new LinearLayerClassificationModel(uid, w, b);
  }

  public static MLReader<LinearLayerClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static LinearLayerClassifier load(String path) {
    return read().load(path);
  }
}
