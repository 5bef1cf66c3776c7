package io.sparkgemm.spark.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;

/**
 * Turns Spark's errors about unreadable input (a file it cannot read, a malformed CSV line, part
 * files with different schemas, a query on columns the input lacks) into one-line
 * {@link IllegalArgumentException}s that name the file and the reason: bad input, exit code 2.
 */
final class ReadErrors {
  private ReadErrors() {
  }

  /**
   * The input's fault in {@code e}, or null when {@code e} is something else (including an
   * {@link IllegalArgumentException} already, which the CLI reports as it is).
   *
   * @param source the input being read, for errors that name no file
   */
  static IllegalArgumentException translate(Exception e, String source, CsvFormat csv,
      Configuration conf) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return null;
      }
      if (t instanceof SparkThrowable s && s.getCondition() != null
          && s.getCondition().startsWith("FAILED_READ_FILE")) {
        String file = shown(s.getMessageParameters().getOrDefault("path", source));
        return new IllegalArgumentException(file + ": cannot be read: "
            + reason(t, s, file, csv, conf), e);
      }
      if (t instanceof AnalysisException) {
        return new IllegalArgumentException(source + ": " + firstLine(t.getMessage()), e);
      }
    }
    return null;
  }

  private static String reason(Throwable t, SparkThrowable s, String file, CsvFormat csv,
      Configuration conf) {
    Map<String, String> p = s.getMessageParameters();
    if (s.getCondition().endsWith("PARQUET_COLUMN_DATA_TYPE_MISMATCH")) {
      return "column " + p.get("column").replaceAll("[\\[\\]]", "").replace(", ", ".")
          + " is " + p.get("actualType") + " here but " + p.get("expectedType")
          + " in the schema read from another part file (all part files must have the same "
          + "schema)";
    }
    for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
      if (c instanceof SparkThrowable m && "MALFORMED_CSV_RECORD".equals(m.getCondition())) {
        return malformedCsv(m.getMessageParameters().get("badRecord"), file, csv, conf);
      }
    }
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    if (message.contains("is not a Parquet file")) {
      return "not a Parquet file, or a truncated one (no Parquet footer at its end)";
    }
    return firstLine(message.replace(file, "the file"));
  }

  /** A CSV line whose cells do not fit the columns: its number, cell counts and text. */
  private static String malformedCsv(String record, String file, CsvFormat csv,
      Configuration conf) {
    if (record == null) {
      return "a line does not fit the columns";
    }
    String sep = CsvHeader.unescape(csv.sep());
    int found = CsvHeader.cells(record, sep).size();
    Path path = new Path(file);
    List<CsvHeader.Line> first = CsvHeader.firstLines(conf, path, 1);
    int expected = first.isEmpty() ? -1 : CsvHeader.cells(first.get(0).text(), sep).size();
    long line = lineNumber(conf, path, record);
    String where = line > 0 ? "line " + line : "a line";
    if (expected >= 0 && found != expected) {
      return where + " has " + found + " columns but line " + first.get(0).number() + " has "
          + expected + " ('" + record + "'; every line must have the same number of columns)";
    }
    return where + " ('" + record + "') does not fit the columns' types";
  }

  /** The number (from 1) of the first line of {@code file} equal to {@code text}, or -1. */
  private static long lineNumber(Configuration conf, Path file, String text) {
    try {
      try (BufferedReader reader = CsvHeader.openText(conf, file)) {
        long number = 0;
        String line;
        while ((line = reader.readLine()) != null) {
          number++;
          if (line.equals(text)) {
            return number;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** A local file's path without the {@code file:} scheme. */
  private static String shown(String path) {
    if (path.startsWith("file:")) {
      try {
        return new URI(path).getPath();
      } catch (URISyntaxException e) {
        return path.substring("file:".length());
      }
    }
    return path;
  }

  /** The first line of Spark's message, without its error class and SQLSTATE. */
  static String firstLine(String message) {
    String m = String.valueOf(message);
    int nl = m.indexOf('\n');
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    m = m.replaceFirst("^\\[[A-Z_.]+\\] ", "").replaceFirst("\\s*SQLSTATE: \\w+;?\\s*$", "");
    return m.trim();
  }
}
