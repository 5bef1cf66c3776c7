package io.sparkgemm.local;

import io.sparkgemm.local.backend.Lapack;
import java.util.List;
import java.util.Random;

/**
 * Seeded initial weights W (d x k, float64):
 * <ul>
 *   <li>{@code xavier}: uniform on ±sqrt(6 / (d + k)) (Glorot and Bengio, 2010);</li>
 *   <li>{@code he}: normal with variance 2 / d (He et al., 2015);</li>
 *   <li>{@code orthogonal}: orthonormal columns (d &gt;= k) or rows (d &lt; k) from the QR of a
 *       Gaussian matrix, signs fixed by R's diagonal (Saxe et al., 2014), so κ(W) = 1.</li>
 * </ul>
 */
public final class WeightInit {
  public static final List<String> SCHEMES = List.of("xavier", "he", "orthogonal");

  private WeightInit() {
  }

  /** W drawn by the scheme called {@code scheme} (any case): see {@link Init#parse}. */
  public static DenseBlock create(String scheme, int inFeatures, int outFeatures, long seed) {
    Init init = Init.parse(scheme);
    if (init == Init.ZEROS) {
      throw new IllegalArgumentException("Unknown init '" + scheme + "': expected one of "
          + String.join(", ", SCHEMES));
    }
    return create(init, inFeatures, outFeatures, seed);
  }

  /** W drawn by {@code scheme}, one of {@link #SCHEMES}. */
  static DenseBlock create(Init scheme, int inFeatures, int outFeatures, long seed) {
    DenseBlock.checkShape(inFeatures, outFeatures);
    if (inFeatures < 1 || outFeatures < 1) {
      throw new IllegalArgumentException("W needs at least one input and one output, got "
          + inFeatures + "x" + outFeatures);
    }
    Random random = new Random(seed);
    int d = inFeatures;
    int k = outFeatures;
    double[] w = new double[d * k];
    switch (scheme) {
      case XAVIER: {
        double a = Math.sqrt(6.0 / (d + k));
        for (int i = 0; i < w.length; i++) {
          w[i] = (2 * random.nextDouble() - 1) * a;
        }
        break;
      }
      case HE: {
        double sd = Math.sqrt(2.0 / d);
        for (int i = 0; i < w.length; i++) {
          w[i] = random.nextGaussian() * sd;
        }
        break;
      }
      case ORTHOGONAL: {
        int m = Math.max(d, k);
        int p = Math.min(d, k);
        double[] gaussian = new double[m * p];
        for (int i = 0; i < gaussian.length; i++) {
          gaussian[i] = random.nextGaussian();
        }
        double[] q = Lapack.orthonormalColumns(gaussian, m, p);
        if (d < k) {
          // Q is k x d column-major, which read row-major is Qᵀ: d x k with orthonormal rows.
          w = q;
        } else {
          for (int i = 0; i < d; i++) {
            for (int j = 0; j < k; j++) {
              w[i * k + j] = q[j * d + i];
            }
          }
        }
        break;
      }
      default:
        throw new IllegalArgumentException("Init " + scheme.label() + " draws nothing: use "
            + "Init.create");
    }
    return DenseBlock.ofDoubles(d, k, w);
  }
}
