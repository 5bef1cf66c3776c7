package io.sparkgemm.local.net;

import java.util.List;

/**
 * Seeded initial θ for a network, layer by layer: {@code he} for layers followed by relu (or
 * leaky-relu / gelu), {@code xavier} otherwise, when the scheme is {@code auto}; b = 0.
 *
 * <p>STUB.
 */
public final class NetworkInit {
  /** The schemes users can name: auto, he, xavier, zeros. */
  public static final List<String> SCHEMES = List.of("auto", "he",
      "xavier", "zeros");

  private NetworkInit() {
  }

  /** θ drawn by {@code scheme} with {@code seed}; layer l uses seed + l. */
  public static double[] create(Network network, String scheme, long seed) {
    throw new UnsupportedOperationException("stub");
  }
}
