package io.sparkgemm.spark.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One epoch of minibatch training (sgd, adam).
 *
 * @param epoch 1 for the first
 * @param step the steps taken so far, over all epochs
 * @param objective the mean over the epoch's steps of each step's objective (its minibatch's
 *     mean loss + (reg/2)·Σ||W_l||²)
 * @param loss the same mean of the data term alone
 * @param gradientNorm ||∇f|| of the epoch's last step (its minibatch's gradient)
 * @param learningRate the rate of the epoch's last step
 * @param rows the rows the epoch's steps saw
 * @param seconds wall time of the epoch (its passes and the driver's updates)
 */
public record EpochRecord(int epoch, long step, double objective, double loss,
    double gradientNorm, double learningRate, long rows, double seconds) {

  /** Rows trained per second of the epoch's wall time. */
  public double rowsPerSecond() {
    return seconds > 0 ? rows / seconds : 0;
  }

  /** The console line. */
  public String line() {
    return String.format(Locale.ROOT, "epoch %3d  step %6d  loss %.10g  |grad| %.4e  lr %.4e  "
        + "%.0f rows/s  %.3f s", epoch, step, objective, gradientNorm, learningRate,
        rowsPerSecond(), seconds);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("step", step);
    m.put("objective", objective);
    m.put("loss", loss);
    m.put("gradientNorm", gradientNorm);
    m.put("learningRate", learningRate);
    m.put("rows", rows);
    m.put("seconds", seconds);
    m.put("rowsPerSecond", rowsPerSecond());
    return m;
  }
}
