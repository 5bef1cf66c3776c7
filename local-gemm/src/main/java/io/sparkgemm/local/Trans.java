package io.sparkgemm.local;

/** Whether a GEMM operand is used as stored ({@link #N}) or transposed ({@link #T}). */
public enum Trans {
  N,
  T;

  /** The BLAS character for this flag; used only at the BLAS call boundary. */
  public String blas() {
    return this == N ? "N" : "T";
  }
}
