package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Trans;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.Chunks;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.reduce.OrderedTreeReduce;
import io.sparkgemm.spark.reduce.TreeDepth;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * One pass over the cached blocks that forms the normal equations of least squares with an
 * intercept, on the augmented design [X 1] (p = d + 1 columns):
 *
 * <pre>
 *   gram = [X 1]ᵀ[X 1]   p x p   (dsyrk per block: half the work of a GEMM)
 *   rhs  = [X 1]ᵀ T      p x k   (dgemm per block)
 * </pre>
 *
 * Both are summed in float64 per partition and tree-reduced in a fixed order, exactly like dW
 * ({@link OrderedTreeReduce}), in their own buffer, {@link GramSums}.
 */
public final class NormalEquations {
  private NormalEquations() {
  }

  /**
   * @param gram p x p row-major, full (mirrored from the lower triangle)
   * @param rhs p x k row-major
   * @param seconds wall time of the pass
   */
  public record Sums(double[] gram, double[] rhs, long numRows, int inFeatures,
      int outFeatures, List<String> backends, int treeDepth, double seconds) {
  }

  public static Sums compute(SparkSession spark, BlockedInput input, BackendOptions backend,
      int treeDepth) {
    int d = input.numFeatures();
    int k = input.labelWidth();
    if (k < 1) {
      throw new BadParameterException("solve needs regression targets (n or n x k values): "
          + "give ", param("labelsPath"), " T.npy or ", param("labelsCol"), " COL");
    }
    int p = d + 1;
    long start = System.nanoTime();
    spark.sparkContext().setJobDescription("spark-gemm solve: [X 1]ᵀ[X 1] and [X 1]ᵀT");
    Chunks chunks = input.chunks();
    JavaPairRDD<Integer, GramSums> partials = JavaPairRDD.fromJavaRDD(
        input.blocks().mapPartitionsWithIndex(
            (index, blocks) -> partition(index, blocks, backend, d, k, chunks), true));
    // As in the pass: with --deterministic the leaves are the chunks, else the partitions.
    int leaves = input.numLeaves();
    long bytes = 8L * p * (p + k);
    int depth = treeDepth > 0 ? treeDepth
        : TreeDepth.choose(leaves, bytes, TreeDepth.maxResultSize(spark));
    GramSums total = OrderedTreeReduce.reduceByIndex(partials, leaves, Math.max(depth, 1),
        () -> new GramSums(p, k)).sum();
    double[] gram = total.gram();
    double[] rhs = total.rhs();
    // dsyrk filled the lower triangle; mirror it.
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        gram[j * p + i] = gram[i * p + j];
      }
    }
    return new Sums(gram, rhs, total.numRows(), d, k, new ArrayList<>(total.backends()), depth,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * One partition's sums, keyed by leaf index: one per leaf of the reduction tree, the partition
   * or with --deterministic each chunk (summed alike in any partition). An empty partition adds
   * nothing.
   */
  private static Iterator<Tuple2<Integer, GramSums>> partition(int index,
      Iterator<LabeledBlock> blocks, BackendOptions options, int d, int k, Chunks chunks) {
    if (!blocks.hasNext()) {
      return List.<Tuple2<Integer, GramSums>>of().iterator();
    }
    // The blocks stream in the order they come (fixed by how they were made); a chunk's blocks
    // are consecutive.
    GemmBackend backend = Backends.select(options);
    List<Tuple2<Integer, GramSums>> results = new ArrayList<>();
    Leaf leaf = null;
    while (blocks.hasNext()) {
      LabeledBlock block = blocks.next();
      int at = chunks.leafOf(block.x().rowId(0), index);
      if (leaf == null || at != leaf.index) {
        if (leaf != null) {
          results.add(new Tuple2<>(leaf.index, leaf.sums()));
        }
        leaf = new Leaf(at, backend, d, k);
      }
      leaf.add(block);
    }
    results.add(new Tuple2<>(leaf.index, leaf.sums()));
    return results.iterator();
  }

  /** gram and rhs of one leaf's blocks, added as they come. */
  private static final class Leaf {
    final int index;
    private final GemmBackend backend;
    private final int d;
    private final int k;
    private final int p;
    private final double[] gram;
    private final double[] rhs;
    private long rows;
    private double[] xa;

    Leaf(int index, GemmBackend backend, int d, int k) {
      this.index = index;
      this.backend = backend;
      this.d = d;
      this.k = k;
      this.p = d + 1;
      this.gram = new double[p * p];
      this.rhs = new double[p * k];
    }

    void add(LabeledBlock block) {
      DenseBlock x = block.x().toDType(DType.FLOAT64);
      DenseBlock t = block.targets();
      if (t == null || t.numCols() != k) {
        throw new IllegalArgumentException("solve needs regression targets with k = " + k
            + " columns in every block");
      }
      int m = x.numRows();
      if (xa == null || xa.length != m * p) {
        xa = new double[m * p];
      }
      // xa = [x 1]: m x p
      double[] xv = x.doubles();
      for (int r = 0; r < m; r++) {
        System.arraycopy(xv, r * d, xa, r * p, d);
        xa[r * p + d] = 1.0;
      }
      // gram += xaᵀ xa : p x p   (beta = 1: the blocks' Gram matrices add)
      backend.gramUpdate(m, p, xa, gram);
      // rhs += xaᵀ t : p x k     (beta = 1)
      backend.dgemm(Trans.T, Trans.N, p, k, m, 1.0, xa, 0, p, t.toDType(DType.FLOAT64).doubles(),
          0, Math.max(1, k), 1.0, rhs, 0, Math.max(1, k));
      rows += m;
    }

    GramSums sums() {
      return new GramSums(p, k, gram, rhs, rows, backend.info().describe());
    }
  }
}
