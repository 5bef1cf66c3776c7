package io.sparkgemm.local.net;

import io.sparkgemm.local.WeightInit;
import java.util.List;
import java.util.Locale;

/**
 * Seeded initial θ for a network, layer by layer, b = 0:
 * <ul>
 *   <li>{@code auto}: {@code he} for a layer followed by relu, leaky-relu or gelu (their
 *       gradient passes about half the units, so the variance 2 / d_l keeps the signal's
 *       scale), {@code xavier} otherwise, the top layer included;</li>
 *   <li>{@code he}, {@code xavier}: that scheme for every layer ({@link WeightInit});</li>
 *   <li>{@code zeros}: θ = 0.</li>
 * </ul>
 * Layer l draws with seed + l, so a seed gives the same θ on every machine.
 */
public final class NetworkInit {
  /** The schemes users can name: auto, he, xavier, zeros. */
  public static final List<String> SCHEMES = List.of("auto", "he",
      "xavier", "zeros");

  private NetworkInit() {
  }

  /** θ drawn by {@code scheme} (any case) with {@code seed}; layer l uses seed + l. */
  public static double[] create(Network network, String scheme, long seed) {
    String name = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(name)) {
      throw new IllegalArgumentException("Unknown init '" + scheme + "': expected one of "
          + String.join(", ", SCHEMES));
    }
    int layers = network.numLayers();
    double[][] w = new double[layers][];
    if (!name.equals("zeros")) {
      for (int l = 0; l < layers; l++) {
        String layerScheme = name.equals("auto") ? autoScheme(network, l) : name;
        w[l] = WeightInit.create(layerScheme, network.size(l), network.size(l + 1), seed + l)
            .doubles();
      }
    }
    return Theta.flat(network, w, new double[layers][]);
  }

  /** he before relu, leaky-relu and gelu; xavier otherwise (the top layer included). */
  static String autoScheme(Network network, int layer) {
    if (layer == network.numLayers() - 1) {
      return "xavier";
    }
    return switch (network.activation(layer)) {
      case RELU, LEAKY_RELU, GELU -> "he";
      default -> "xavier";
    };
  }
}
