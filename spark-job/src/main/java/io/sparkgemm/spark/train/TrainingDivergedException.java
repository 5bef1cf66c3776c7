package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.NamesParameters;
import io.sparkgemm.local.ParamText;

/**
 * Training went off: the loss or the gradient stopped being finite, or (minibatch) the loss grew
 * a millionfold or θ overflowed; names the iteration or step where it happened.
 */
public final class TrainingDivergedException extends ArithmeticException
    implements NamesParameters {
  private static final long serialVersionUID = 1L;

  /**
   * The growth rule of gd, sgd and adam: an objective above GROWTH · max(1, the first one this
   * run evaluated) is divergence. Losses are noisy but never legitimately grow a millionfold;
   * the floor of 1 keeps a near-perfect start (a loss of 1e-9) from calling noise divergence.
   * (L-BFGS's line search only accepts decrease.)
   */
  public static final double GROWTH = 1e6;

  /** What to change, for full-batch training ("Lower the learning rate ..."), without a period. */
  static final ParamText ADVICE = ParamText.of("Lower the learning rate (", param("learningRate"),
      "), add ", param("regParam"), ", or scale the features");

  private final int iteration;
  private final ParamText text;

  /** @param text what happened and what to change (the parameters it names) */
  public TrainingDivergedException(int iteration, ParamText text) {
    super(text.toString());
    this.iteration = iteration;
    this.text = text;
  }

  /** The same divergence with {@code note} (what the run left behind) after the message. */
  public TrainingDivergedException withNote(ParamText note) {
    TrainingDivergedException noted = new TrainingDivergedException(iteration,
        text.plus(" ", note));
    noted.setStackTrace(getStackTrace());
    return noted;
  }

  /** Whether {@code value} breaks the growth rule against the run's {@code first} objective. */
  static boolean grew(double value, double first) {
    return value > GROWTH * Math.max(1, first);
  }

  public int iteration() {
    return iteration;
  }

  @Override
  public ParamText text() {
    return text;
  }
}
