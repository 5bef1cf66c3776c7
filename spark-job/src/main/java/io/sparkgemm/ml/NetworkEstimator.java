package io.sparkgemm.ml;

import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.NetworkInit;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.train.Objective;
import io.sparkgemm.spark.train.Optimizer;
import io.sparkgemm.spark.train.TrainSpec;
import io.sparkgemm.spark.train.Trainer;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.Dataset;
import scala.Function1;

/**
 * What the two network estimators share: the network's Params ({@code hiddenLayers},
 * {@code activation}, and the minibatch {@code batchRows} and {@code epochs}) and {@link #fit},
 * which blockifies and caches the DataFrame once and trains d -> hiddenLayers -> k as
 * {@code spark-gemm train --hidden ...} does: full-batch lbfgs or gd, or minibatch sgd or adam.
 * The objective is the mean loss + (regParam/2)·Σ||W_l||², biases unpenalised. No hidden
 * layers is the linear model.
 */
public abstract class NetworkEstimator<M extends NetworkModel<M>> extends LayerEstimator<M> {
  private static final long serialVersionUID = 1L;

  private final IntArrayParam hiddenLayers;
  private final Param<String> activation;
  private final IntParam batchRows;
  private final IntParam epochs;

  protected NetworkEstimator(String uid) {
    super(uid, Optimizer.LABELS, "lbfgs or gd (full-batch), sgd or adam (minibatch)",
        NetworkInit.SCHEMES, "initial θ: auto (he before relu, xavier otherwise), he, xavier "
            + "or zeros; biases start at 0");
    hiddenLayers = new IntArrayParam(this, "hiddenLayers", "widths of the hidden layers, "
        + "input side first (none: the linear model)", positiveWidths());
    activation = new Param<>(this, "activation", "after every hidden layer: "
        + String.join(", ", Activation.LABELS), ParamValidators.inArray(Activation.LABELS));
    batchRows = new IntParam(this, "batchRows", "sgd and adam: rows per step, 0 for "
        + TrainSpec.DEFAULT_BATCH_ROWS, ParamValidators.gtEq(0));
    epochs = new IntParam(this, "epochs", "sgd and adam: passes over the rows, 0 for "
        + TrainSpec.DEFAULT_EPOCHS, ParamValidators.gtEq(0));
    setDefault(hiddenLayers, new int[0]);
    setDefault(activation, Activation.RELU.label());
    setDefault(batchRows, 0);
    setDefault(epochs, 0);
  }

  /** Every width >= 1; the error names the Param and shows the widths. */
  private static Function1<int[], Object> positiveWidths() {
    return (Function1<int[], Object> & Serializable) widths -> {
      for (int w : widths) {
        if (w < 1) {
          throw new IllegalArgumentException("hiddenLayers must all be >= 1, got "
              + Arrays.toString(widths));
        }
      }
      return true;
    };
  }

  public IntArrayParam hiddenLayers() {
    return hiddenLayers;
  }

  public Param<String> activation() {
    return activation;
  }

  public IntParam batchRows() {
    return batchRows;
  }

  public IntParam epochs() {
    return epochs;
  }

  public <T extends NetworkEstimator<M>> T setHiddenLayers(int... value) {
    set(hiddenLayers, value.clone());
    return self();
  }

  public <T extends NetworkEstimator<M>> T setActivation(String value) {
    set(activation, value);
    return self();
  }

  public <T extends NetworkEstimator<M>> T setBatchRows(int value) {
    set(batchRows, value);
    return self();
  }

  public <T extends NetworkEstimator<M>> T setEpochs(int value) {
    set(epochs, value);
    return self();
  }

  /** The fitted model (Params are copied by {@link #fit}). */
  protected abstract M createModel(String uid, Network network, double[] theta);

  /** The training these Params describe (checked before any data is read). */
  TrainSpec spec() {
    return trainSpec().batchRows((Integer) $(batchRows)).epochs((Integer) $(epochs))
        .seed((Long) $(seed())).hiddenSizes((int[]) $(hiddenLayers))
        .activation(Activation.parse($(activation))).init($(init())).build();
  }

  @Override
  public M fit(Dataset<?> dataset) {
    outputSchema(dataset.schema(), false);
    TrainSpec spec = spec();
    BlockedInput input = block(dataset);
    try {
      Network network = spec.network(input.numFeatures(), outputs(dataset, input));
      double[] start = NetworkInit.create(network, spec.init(), spec.seed());
      Objective objective = new Objective(dataset.sparkSession(), input, network, spec);
      Trainer.Result result = Trainer.train(objective, spec, Trainer.Start.fresh(start),
          (record, theta, velocity) -> { });
      return fitted(createModel(uid(), network, result.theta()), result);
    } finally {
      input.release();
    }
  }
}
