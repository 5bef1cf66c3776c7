package io.sparkgemm.spark.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the training history: an iteration of gd or lbfgs, or an epoch of sgd or adam
 * (then iteration counts the steps taken, objective and loss are the means over the epoch's
 * steps, gradientNorm and step are its last step's, passes its steps).
 *
 * @param iteration 0 for the starting point
 * @param objective f = loss + (reg/2)·Σ||W_l||²
 * @param loss the data term alone
 * @param gradientNorm ||∇f|| over every W and b
 * @param step ||Δθ||, the length of the update that led here (0 at the start)
 * @param seconds wall time of the iteration (its passes and the driver's work)
 * @param passes distributed passes the iteration ran (L-BFGS line searches may run several)
 */
public record IterationRecord(int iteration, double objective, double loss, double gradientNorm,
    double step, double seconds, int passes) {

  /** The console line. */
  public String line() {
    return String.format(Locale.ROOT, "iter %4d  loss %.10g  |grad| %.4e  step %.4e  %.3f s%s",
        iteration, objective, gradientNorm, step, seconds,
        passes > 1 ? "  (" + passes + " passes)" : "");
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("iteration", iteration);
    m.put("objective", objective);
    m.put("loss", loss);
    m.put("gradientNorm", gradientNorm);
    m.put("step", step);
    m.put("seconds", seconds);
    m.put("passes", passes);
    return m;
  }
}
