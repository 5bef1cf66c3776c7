package io.sparkgemm.local.npy;

/** The element types spark-gemm reads and writes in .npy files. */
public enum NpyDType {
  FLOAT64('f', 8, "float64"),
  FLOAT32('f', 4, "float32"),
  INT32('i', 4, "int32"),
  INT64('i', 8, "int64");

  private final char kind;
  private final int size;
  private final String label;

  NpyDType(char kind, int size, String label) {
    this.kind = kind;
    this.size = size;
    this.label = label;
  }

  public int size() {
    return size;
  }

  public String label() {
    return label;
  }

  public boolean isFloat() {
    return kind == 'f';
  }

  /** The little-endian descr written to headers, e.g. {@code <f8}. */
  String descr() {
    return "<" + kind + size;
  }

  static NpyDType of(char kind, int size) {
    for (NpyDType t : values()) {
      if (t.kind == kind && t.size == size) {
        return t;
      }
    }
    return null;
  }
}
