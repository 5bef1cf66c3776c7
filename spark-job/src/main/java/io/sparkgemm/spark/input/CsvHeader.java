package io.sparkgemm.spark.input;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the first lines of a CSV input on the driver (straight from the file, no Spark job):
 * whether line 1 is a header, whether the lines have the same number of cells, and whether the
 * file looks separated by another character than the one in use.
 *
 * <p>With {@code --header auto}, line 1 is a header when a cell is not a number. When every
 * cell is a number, the lines below decide: names {@code 0..m-1} or {@code 1..m} (what pandas
 * writes for unnamed columns) above columns of decimals are a header; other integers above
 * integers are data, like the lines below; and what cannot be told apart (those names above
 * integers, other integers above decimals) is refused, asking for {@code --header true|false}.
 */
final class CsvHeader {
  private static final Logger LOG = LoggerFactory.getLogger(CsvHeader.class);
  /** Lines read to decide. */
  static final int SAMPLE_LINES = 32;
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(NaN|Inf|Infinity)");
  /** Separators a CSV is often written with instead of ','. */
  private static final String[] OTHER_SEPARATORS = {";", "\t", "|"};
  /** U+FEFF, the byte-order mark some writers put before the first line. */
  private static final String BOM = "\uFEFF";

  private enum Kind { EMPTY, INTEGER, DECIMAL, TEXT }

  /** One non-blank line of the sample and its number in the file (from 1). */
  record Line(int number, String text) {
  }

  private CsvHeader() {
  }

  /**
   * Whether the CSV at {@code path} (a file, folder or glob: its first data file is read) has a
   * header; refuses ragged first lines and a separator that looks wrong.
   */
  static boolean hasHeader(Configuration conf, String path, CsvFormat format) {
    Path file = InputFiles.firstDataFile(conf, path);
    List<Line> lines = firstLines(conf, file, SAMPLE_LINES);
    String shown = file.toUri().getScheme() == null || file.toUri().getScheme().equals("file")
        ? file.toUri().getPath() : file.toString();
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(shown + ": the CSV file is empty");
    }
    String sep = unescape(format.sep());
    List<List<String>> cells = new ArrayList<>();
    for (Line line : lines) {
      cells.add(cells(line.text(), sep));
    }
    if (format.separator() == null) {
      checkSeparator(shown, lines.get(0), cells.get(0));
    }
    int width = cells.get(0).size();
    for (int i = 1; i < lines.size(); i++) {
      if (cells.get(i).size() != width) {
        throw new IllegalArgumentException(shown + ": line " + lines.get(i).number() + " has "
            + cells.get(i).size() + " columns but line " + lines.get(0).number() + " has "
            + width + " (every line must have the same number of columns, separated by '"
            + format.sep() + "')");
      }
    }
    switch (format.header()) {
      case TRUE:
        return true;
      case FALSE:
        return false;
      default:
        return decide(shown, lines.get(0), cells);
    }
  }

  private static boolean decide(String file, Line first, List<List<String>> cells) {
    List<Kind> kinds = cells.get(0).stream().map(CsvHeader::kind).toList();
    if (kinds.contains(Kind.TEXT)) {
      return true;
    }
    if (kinds.contains(Kind.DECIMAL) || !kinds.contains(Kind.INTEGER)) {
      return false;
    }
    // Line 1 holds integers only: compare with the columns below.
    boolean decimalsBelow = false;
    for (int c = 0; c < kinds.size(); c++) {
      if (kinds.get(c) == Kind.INTEGER && onlyDecimalsBelow(cells, c)) {
        decimalsBelow = true;
      }
    }
    boolean names = defaultNames(cells.get(0));
    if (names && decimalsBelow) {
      // The documented rule drops a line of numbers: say so, so a lost data row is never silent.
      LOG.warn("{}: line {} ('{}') is read as a header, not as data: its cells are the column "
          + "numbers pandas writes for unnamed columns, above decimals; if it is a row of data, "
          + "set the CSV header to false (--header false)", file, first.number(), first.text());
      return true;
    }
    if (!names && !decimalsBelow) {
      return false;
    }
    throw new BadInputException(file + ": cannot tell whether line " + first.number()
        + " ('" + first.text() + "') is a header or data: " + (names
        ? "its cells are the column numbers pandas writes for unnamed columns, and the lines "
            + "below hold integers too"
        : "it holds integers where the lines below hold decimals")
        + "; pass ", param("csvHeader"), " true or ", param("csvHeader"), " false");
  }

  private static boolean onlyDecimalsBelow(List<List<String>> cells, int column) {
    boolean any = false;
    for (int i = 1; i < cells.size(); i++) {
      Kind k = kind(cells.get(i).get(column));
      if (k == Kind.DECIMAL) {
        any = true;
      } else if (k != Kind.EMPTY) {
        return false;
      }
    }
    return any;
  }

  /** Cells 0..m-1 or 1..m, after an optional empty first cell (pandas' index column). */
  private static boolean defaultNames(List<String> first) {
    int from = first.get(0).isBlank() && first.size() > 1 ? 1 : 0;
    for (int base = 0; base <= 1; base++) {
      boolean match = true;
      for (int c = from; c < first.size() && match; c++) {
        match = first.get(c).trim().equals(Integer.toString(c - from + base));
      }
      if (match) {
        return true;
      }
    }
    return false;
  }

  /** Refuses a line that is one cell (or has text cells) holding another common separator. */
  private static void checkSeparator(String file, Line first, List<String> cells) {
    for (String other : OTHER_SEPARATORS) {
      if (!first.text().contains(other)) {
        continue;
      }
      boolean suspicious = cells.size() == 1;
      for (String cell : cells) {
        suspicious |= cell.contains(other) && kind(cell) == Kind.TEXT;
      }
      if (suspicious) {
        String name = other.equals("\t") ? "\\t" : other;
        throw new BadInputException(file + ": line " + first.number() + " ('" + first.text()
            + "') looks separated by '" + name + "', not ','; pass ", param("csvSeparator"), " '"
            + name + "' (or ", param("csvSeparator"), " ',' if ',' is right)");
      }
    }
  }

  private static Kind kind(String cell) {
    String v = cell.trim();
    if (v.isEmpty()) {
      return Kind.EMPTY;
    }
    if (INTEGER.matcher(v).matches()) {
      return Kind.INTEGER;
    }
    return DECIMAL.matcher(v).matches() ? Kind.DECIMAL : Kind.TEXT;
  }

  /** The cells of one line: {@code sep} splits outside double quotes; quotes are removed. */
  static List<String> cells(String line, String sep) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        cell.append('"');
        i += 2;
      } else if (c == '"') {
        quoted = !quoted;
        i++;
      } else if (!quoted && line.startsWith(sep, i)) {
        cells.add(cell.toString());
        cell.setLength(0);
        i += sep.length();
      } else {
        cell.append(c);
        i++;
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  /** {@code \t} typed on a command line means a tab, as Spark reads it. */
  static String unescape(String sep) {
    return sep.equals("\\t") ? "\t" : sep;
  }

  /** Up to {@code max} non-blank lines from the start of {@code file} (decompressed). */
  static List<Line> firstLines(Configuration conf, Path file, int max) {
    List<Line> lines = new ArrayList<>();
    try {
      try (BufferedReader reader = openText(conf, file)) {
        int number = 0;
        String text;
        while (lines.size() < max && (text = reader.readLine()) != null) {
          number++;
          if (number == 1 && text.startsWith(BOM)) {
            // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is no part of the first cell.
            text = text.substring(1);
          }
          if (!text.isBlank()) {
            lines.add(new Line(number, text));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
    }
    return lines;
  }

  /** {@code file} as UTF-8 lines, decompressed by its extension's codec (.gz, .bz2, ...). */
  static BufferedReader openText(Configuration conf, Path file) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
    InputStream raw = fs.open(file);
    InputStream in = codec == null ? raw : codec.createInputStream(raw);
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }
}
