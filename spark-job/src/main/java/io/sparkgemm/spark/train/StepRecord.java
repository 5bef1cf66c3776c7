package io.sparkgemm.spark.train;

import java.util.Locale;

/**
 * One minibatch step (sgd, adam).
 *
 * @param epoch 1 for the first
 * @param step the steps taken so far over all epochs, this one included (1 for the first)
 * @param objective the step's minibatch objective
 * @param gradientNorm its ||∇f||
 * @param learningRate the rate the step used
 * @param update ||Δθ||, the length of the step's update
 * @param rows the rows of the minibatch
 */
public record StepRecord(int epoch, long step, double objective, double gradientNorm,
    double learningRate, double update, long rows) {

  /** The console line (for --log-every). */
  public String line() {
    return String.format(Locale.ROOT, "  step %6d  (epoch %d)  loss %.10g  |grad| %.4e  "
        + "lr %.4e", step, epoch, objective, gradientNorm, learningRate);
  }
}
