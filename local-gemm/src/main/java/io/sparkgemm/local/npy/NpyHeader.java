package io.sparkgemm.local.npy;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dictionary of a .npy file, e.g.
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }}, parsed strictly: the
 * three keys, string / boolean / tuple-of-ints values, nothing else.
 */
record NpyHeader(NpyDType dtype, ByteOrder byteOrder, boolean fortranOrder, int[] shape) {

  static NpyHeader parse(String text, String path) {
    Map<String, Object> dict = new Parser(text.strip(), path).dict();
    for (String key : List.of("descr", "fortran_order", "shape")) {
      if (!dict.containsKey(key)) {
        throw new NpyFormatException(path, "header has no '" + key + "' key: " + text.strip());
      }
    }
    if (dict.size() != 3) {
      throw new NpyFormatException(path, "header has unexpected keys: " + dict.keySet());
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new NpyFormatException(path, "structured dtype " + dict.get("descr")
          + " is not supported (expected a plain float64 or float32 array)");
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new NpyFormatException(path, "'fortran_order' must be True or False, got "
          + dict.get("fortran_order"));
    }
    if (!(dict.get("shape") instanceof int[] shape)) {
      throw new NpyFormatException(path, "'shape' must be a tuple of ints, got "
          + dict.get("shape"));
    }
    if (shape.length == 0 || shape.length > 2) {
      throw new NpyFormatException(path, "shape " + Npy.shapeText(shape) + " is " + shape.length
          + "-D; only 1-D and 2-D arrays are supported");
    }
    return new NpyHeader(dtypeOf(descr, path), orderOf(descr), fortran, shape);
  }

  private static NpyDType dtypeOf(String descr, String path) {
    String supported = " (supported: float64 '<f8', float32 '<f4', and int32 '<i4' / int64 '<i8' "
        + "for class labels)";
    if (descr.contains("O")) {
      throw new NpyFormatException(path, "object dtype '" + descr + "' (pickled Python objects) "
          + "is refused: loading it could run code; save a numeric array" + supported);
    }
    if (descr.length() >= 3 && "<>|=".indexOf(descr.charAt(0)) >= 0) {
      char kind = descr.charAt(1);
      try {
        int size = Integer.parseInt(descr.substring(2));
        NpyDType dtype = NpyDType.of(kind, size);
        if (dtype != null && descr.charAt(0) != '|') {
          return dtype;
        }
      } catch (NumberFormatException e) {
        // falls through to the refusal below
      }
    }
    throw new NpyFormatException(path, "unsupported dtype '" + descr + "'" + supported);
  }

  private static ByteOrder orderOf(String descr) {
    return descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  /** A list value in a header, kept as text: it is refused, and only named in messages. */
  private record ListText(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** A recursive-descent parser for the small Python-literal subset used by headers. */
  private static final class Parser {
    private final String s;
    private final String path;
    private int i;

    Parser(String s, String path) {
      this.s = s;
      this.path = path;
    }

    Map<String, Object> dict() {
      Map<String, Object> out = new HashMap<>();
      expect('{');
      while (true) {
        skipSpace();
        if (peek() == '}') {
          i++;
          break;
        }
        String key = string();
        expect(':');
        out.put(key, value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw error("expected ',' or '}'");
        }
      }
      skipSpace();
      if (i != s.length()) {
        throw error("unexpected text after the header dictionary");
      }
      return out;
    }

    private Object value() {
      skipSpace();
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (c == '[') {
        // only a structured dtype's descr is a list; keep its text for the refusal
        return new ListText(list());
      }
      if (s.startsWith("True", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      throw error("unexpected value");
    }

    /** A bracketed list, nested brackets and quoted strings included, as its text. */
    private String list() {
      int start = i;
      int depth = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '\'' || c == '"') {
          int end = s.indexOf(c, i + 1);
          if (end < 0) {
            throw error("unterminated string");
          }
          i = end + 1;
          continue;
        }
        if (c == '[' || c == '(') {
          depth++;
        } else if (c == ']' || c == ')') {
          depth--;
          if (depth == 0) {
            i++;
            return s.substring(start, i);
          }
        }
        i++;
      }
      throw error("unterminated list");
    }

    private int[] tuple() {
      expect('(');
      List<Integer> dims = new ArrayList<>();
      while (true) {
        skipSpace();
        if (peek() == ')') {
          i++;
          break;
        }
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        if (start == i) {
          throw error("expected a non-negative integer dimension");
        }
        try {
          dims.add(Integer.parseInt(s.substring(start, i)));
        } catch (NumberFormatException e) {
          throw error("dimension " + s.substring(start, i) + " is too large");
        }
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != ')') {
          throw error("expected ',' or ')' in shape");
        }
      }
      return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private String string() {
      skipSpace();
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted string");
      }
      int end = s.indexOf(quote, i + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      String out = s.substring(i + 1, end);
      i = end + 1;
      return out;
    }

    private void expect(char c) {
      skipSpace();
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private NpyFormatException error(String what) {
      return new NpyFormatException(path, "bad header at character " + i + ": " + what
          + " in " + s);
    }
  }
}
