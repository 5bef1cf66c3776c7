package io.sparkgemm.local;

/**
 * A parameter's value refused: bad input that says which parameter ({@link #parameter()}, the
 * first its message names) so that a front end can point at its own name for it: the command
 * line at a flag, a Pipeline at the Param. {@code getMessage()} uses the parameters' own names
 * ("blockRows must be >= 1").
 */
public class BadParameterException extends BadInputException {
  private static final long serialVersionUID = 1L;

  /**
   * @param text the refusal; it names at least one parameter, the first being the one at fault
   */
  public BadParameterException(ParamText text) {
    this(text, null);
  }

  /** The refusal {@code text}, found through {@code cause}. */
  public BadParameterException(ParamText text, Throwable cause) {
    super(text, cause);
    if (text.parameters().isEmpty()) {
      throw new IllegalArgumentException("A parameter refusal must name its parameter: " + text);
    }
  }

  /** The refusal of {@code parts}, as for {@link ParamText#of}. */
  public BadParameterException(Object... parts) {
    this(ParamText.of(parts));
  }

  /** The parameter refused, by its library name. */
  public String parameter() {
    return text().parameters().get(0);
  }
}
