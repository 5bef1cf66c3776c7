package io.sparkgemm.spark.train;

import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.reduce.OrderedTreeReduce;
import io.sparkgemm.spark.reduce.TreeDepth;
import java.util.Iterator;
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
   * order give float64 means and Σ(x − mean)² per column ({@link ColumnMoments}), reduced in
   * partition order ({@link OrderedTreeReduce}, Chan et al.'s pairwise update), so the same
   * input and partitioning give the same bits, whichever task finishes first.
   */
  public static InputScaling measure(SparkSession spark, BlockedInput input) {
    int d = input.numFeatures();
    spark.sparkContext().setJobDescription("spark-gemm train: column means and deviations");
    int depth = TreeDepth.forSmallSums(spark, input.blocks().getNumPartitions(),
        ColumnMoments.bytes(d));
    ColumnMoments moments = OrderedTreeReduce.reducePartitions(input.blocks(),
        (Iterator<LabeledBlock> blocks) -> {
          ColumnMoments partition = new ColumnMoments(d);
          blocks.forEachRemaining(block -> partition.add(block.x()));
          return partition;
        }, depth, () -> new ColumnMoments(d));
    double n = moments.rows();
    double[] scale = new double[d];
    for (int c = 0; c < d; c++) {
      double sd = Math.sqrt(moments.m2()[c] / n);
      scale[c] = sd > 0 ? sd : 1.0;
    }
    return new InputScaling(moments.mean(), scale);
  }

  /** θ on raw rows from θ' on standardised rows (a new vector). */
  public double[] toRaw(Network network, double[] scaled) {
    double[] raw = scaled.clone();
    Theta at = Theta.of(network, raw);
    int d = network.inFeatures();
    int k = network.size(1);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < k; j++) {
        int w = at.weightIndex(0, i, j);
        raw[w] = scaled[w] / scale[i];
        raw[at.biasIndex(0, j)] -= raw[w] * mean[i];
      }
    }
    return raw;
  }

  /** ∂f/∂θ' from ∂f/∂θ (a new vector). */
  public double[] toScaled(Network network, double[] rawGradient) {
    double[] g = rawGradient.clone();
    Theta at = Theta.of(network, g);
    int d = network.inFeatures();
    int k = network.size(1);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < k; j++) {
        int w = at.weightIndex(0, i, j);
        g[w] = (rawGradient[w] - mean[i] * rawGradient[at.biasIndex(0, j)]) / scale[i];
      }
    }
    return g;
  }
}
