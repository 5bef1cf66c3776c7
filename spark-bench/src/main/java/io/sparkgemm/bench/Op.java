package io.sparkgemm.bench;

import java.util.Locale;

/**
 * What a timed run computes, with its useful GEMMs (each 2ndk flops). G is the seeded upstream
 * gradient for {@code backward} and {@code backward+dx}, and the softmax-cross-entropy gradient of
 * Y against the seeded labels for {@code gradient} and {@code fused}.
 */
public enum Op {
  /** Y = XW + b. */
  FORWARD("forward", 1),
  /** dW = XᵀG, db = 1ᵀG for a given G. */
  BACKWARD("backward", 1),
  /** dW, db and dX = GWᵀ for a given G. */
  BACKWARD_DX("backward+dx", 2),
  /** Y, softmax-ce loss and G, dW, db: one loss-and-gradient evaluation (MLlib LR's job). */
  GRADIENT("gradient", 2),
  /** Y, loss, G, dW, db and dX in one pass over X. */
  FUSED("fused", 3),
  /** A 20-iteration softmax-regression fit, setup included (no flop count). */
  FIT("fit-20", 0);

  private final String label;
  private final int gemms;

  Op(String label, int gemms) {
    this.label = label;
    this.gemms = gemms;
  }

  public String label() {
    return label;
  }

  /** Useful flops for a shape, or 0 when a rate makes no sense (a fit). */
  public double flops(Shape shape) {
    return gemms * shape.gemmFlops();
  }

  public static Op parse(String text) {
    for (Op op : values()) {
      if (op.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return op;
      }
    }
    throw new IllegalArgumentException("Unknown operation '" + text + "'");
  }
}
