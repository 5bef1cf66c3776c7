package io.sparkgemm.local;

import java.util.function.Function;

/**
 * Input refused (a file, a row, a column, a size): the caller's fault, as any
 * {@link IllegalArgumentException}, with a message that may name the library's parameters that
 * would help ("pass allowNonFinite to let them through"), kept apart so that a front end can
 * name them its own way (see {@link NamesParameters}). {@link BadParameterException} is the
 * refusal of a parameter's value.
 */
public class BadInputException extends IllegalArgumentException implements NamesParameters {
  private static final long serialVersionUID = 1L;

  private final ParamText text;

  public BadInputException(ParamText text) {
    this(text, null);
  }

  /** The refusal {@code text}, found through {@code cause}. */
  public BadInputException(ParamText text, Throwable cause) {
    super(text.toString(), cause);
    this.text = text;
  }

  /** The refusal of {@code parts}, as for {@link ParamText#of}. */
  public BadInputException(Object... parts) {
    this(ParamText.of(parts));
  }

  @Override
  public ParamText text() {
    return text;
  }

  /** The message with each parameter named by {@code nameOf} (null: its own name). */
  public String describe(Function<String, String> nameOf) {
    return text.render(nameOf);
  }
}
