package io.sparkgemm.bench;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One benchmark shape: X is n x d, W is d x k (k outputs, or k classes for the LR paths). */
public record Shape(long n, int d, int k) implements Serializable {

  public Shape {
    if (n < 1 || d < 1 || k < 1) {
      throw new IllegalArgumentException("A shape needs n, d, k >= 1, got " + n + "x" + d + "x"
          + k);
    }
  }

  /** {@code NxDxK[,NxDxK...]}, e.g. {@code 1000000x512x256,200000x784x10}; {@code none}: none. */
  public static List<Shape> parseList(String text) {
    List<Shape> shapes = new ArrayList<>();
    if (text.trim().equalsIgnoreCase("none")) {
      return shapes;
    }
    for (String part : text.split(",")) {
      String[] dims = part.trim().toLowerCase(Locale.ROOT).split("x");
      if (dims.length != 3) {
        throw new IllegalArgumentException("Bad shape '" + part.trim() + "': expected NxDxK, "
            + "e.g. 200000x512x256");
      }
      try {
        shapes.add(new Shape(Long.parseLong(dims[0].replace("_", "")),
            Integer.parseInt(dims[1]), Integer.parseInt(dims[2])));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad shape '" + part.trim() + "': expected NxDxK "
            + "with whole numbers, e.g. 200000x512x256");
      }
    }
    return shapes;
  }

  /** 2ndk: the flops of one n x d by d x k GEMM. */
  public double gemmFlops() {
    return 2.0 * n * d * k;
  }

  @Override
  public String toString() {
    return n + "x" + d + "x" + k;
  }
}
