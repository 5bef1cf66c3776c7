package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Training on standardised features without touching the data: with μ and σ the columns'
 * means and standard deviations and D = diag(1/σ), the first layer on standardised rows,
 * {@code ((X − 1μᵀ) D) W'₀ + b'₀}, is the first layer on the raw rows with
 * <pre>
 *   W₀ = D W'₀          b₀ = b'₀ − W₀ᵀ μ
 * </pre>
 * so the optimizer moves θ' (the standardised coordinates), every pass runs the raw blocks with
 * θ = {@link #toRaw}(θ'), and the gradient comes back by the chain rule ({@link #toScaled}):
 * <pre>
 *   ∂f/∂W'₀[i][j] = (∂f/∂W₀[i][j] − μᵢ ∂f/∂b₀[j]) / σᵢ      ∂f/∂b'₀ = ∂f/∂b₀
 * </pre>
 * (the other layers are the same in both). The model written at the end is θ, which runs on
 * raw rows as any other model does. A constant column (σ = 0) is centred but not scaled.
 */
public record InputScaling(double[] mean, double[] scale) {

  /**
   * μ and σ (population) of X's columns, one Spark job: each partition's blocks in row-id
   * order give float64 Σx and Σ(x − x̄_block)² per column, merged on the driver in partition
   * order (Chan et al.'s pairwise update), so the same input and partitioning give the same bits.
   */
  public static InputScaling measure(SparkSession spark, BlockedInput input) {
    int d = input.numFeatures();
    spark.sparkContext().setJobDescription("spark-gemm train: column means and deviations");
    List<double[]> parts = input.blocks().mapPartitions(
        (Iterator<LabeledBlock> blocks) -> List.of(moments(blocks, d)).iterator()).collect();
    double n = 0;
    double[] mean = new double[d];
    double[] m2 = new double[d];
    for (double[] p : parts) {
      double nb = p[0];
      if (nb == 0) {
        continue;
      }
      double total = n + nb;
      for (int c = 0; c < d; c++) {
        double delta = p[1 + c] - mean[c];
        mean[c] += delta * nb / total;
        m2[c] += p[1 + d + c] + delta * delta * n * nb / total;
      }
      n = total;
    }
    double[] scale = new double[d];
    for (int c = 0; c < d; c++) {
      double sd = Math.sqrt(m2[c] / n);
      scale[c] = sd > 0 ? sd : 1.0;
    }
    return new InputScaling(mean, scale);
  }

  /** {rows, the means (d), Σ(x − mean)² (d)} of one partition. */
  private static double[] moments(Iterator<LabeledBlock> blocks, int d) {
    double[] out = new double[1 + 2 * d];
    double n = 0;
    double[] mean = new double[d];
    double[] m2 = new double[d];
    double[] row = new double[d];
    while (blocks.hasNext()) {
      DenseBlock x = blocks.next().x();
      for (int r = 0; r < x.numRows(); r++) {
        if (x.dtype() == DType.FLOAT64) {
          System.arraycopy(x.doubles(), r * d, row, 0, d);
        } else {
          for (int c = 0; c < d; c++) {
            row[c] = x.floats()[r * d + c];
          }
        }
        n++;
        for (int c = 0; c < d; c++) {
          // Welford's update: exact enough for pixel-sized values and any row count
          double delta = row[c] - mean[c];
          mean[c] += delta / n;
          m2[c] += delta * (row[c] - mean[c]);
        }
      }
    }
    out[0] = n;
    System.arraycopy(mean, 0, out, 1, d);
    System.arraycopy(m2, 0, out, 1 + d, d);
    return out;
  }

  /** θ on raw rows from θ' on standardised rows (a new vector). */
  public double[] toRaw(Network network, double[] scaled) {
    double[] raw = scaled.clone();
    int d = network.inFeatures();
    int k = network.size(1);
    int w = network.weightOffset(0);
    int b = network.biasOffset(0);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < k; j++) {
        raw[w + i * k + j] = scaled[w + i * k + j] / scale[i];
        raw[b + j] -= raw[w + i * k + j] * mean[i];
      }
    }
    return raw;
  }

  /** ∂f/∂θ' from ∂f/∂θ (a new vector). */
  public double[] toScaled(Network network, double[] rawGradient) {
    double[] g = rawGradient.clone();
    int d = network.inFeatures();
    int k = network.size(1);
    int w = network.weightOffset(0);
    int b = network.biasOffset(0);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < k; j++) {
        g[w + i * k + j] = (rawGradient[w + i * k + j] - mean[i] * rawGradient[b + j])
            / scale[i];
      }
    }
    return g;
  }
}
