package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import java.io.Serializable;
import java.util.Locale;

/**
 * How CSV inputs (X and a CSV G) are read.
 *
 * @param header whether the first line of each file holds column names
 * @param separator the cell separator; null for ',' with a check that the file does not look
 *     separated by something else
 */
public record CsvFormat(Header header, String separator) implements Serializable {
  /** The default header setting, as {@code --header} shows it: detected from the lines. */
  public static final String HEADER = "auto";

  /** Header auto-detected ({@link #HEADER}), ',' separator. */
  public static final CsvFormat DEFAULT = new CsvFormat(Header.parse(HEADER), null);

  /** Whether the first line is a header. */
  public enum Header {
    TRUE, FALSE,
    /** decided from the first lines: see {@link CsvHeader} */
    AUTO;

    /** Parses {@code true}, {@code false} or {@code auto}. */
    public static Header parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new BadParameterException(param("csvHeader"),
            " must be true, false or auto, got '" + value + "'");
      }
    }
  }

  public CsvFormat {
    if (header == null) {
      throw new IllegalArgumentException("No CSV header setting");
    }
    if (separator != null && separator.isEmpty()) {
      throw new BadParameterException(param("csvSeparator"), " must not be empty");
    }
    if (separator != null && (separator.contains("\"") || separator.contains("\n")
        || separator.contains("\r"))) {
      throw new BadParameterException(param("csvSeparator"),
          " cannot contain a quote or a line break, got '" + separator + "'");
    }
  }

  /** The separator in use. */
  public String sep() {
    return separator == null ? "," : separator;
  }
}
