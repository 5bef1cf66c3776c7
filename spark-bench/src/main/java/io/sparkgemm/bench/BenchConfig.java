package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import java.util.List;

/**
 * What {@code spark-gemm bench} runs.
 *
 * @param contenders a subset of {@link #CONTENDERS}; the floor's results are always computed
 *     (every contender is checked against them), its timings only when listed
 * @param blasThreads OpenBLAS threads per task (or per floor thread): the first for every
 *     contender, the others for extra fused-pass rows (oversubscription)
 * @param partitions partitions of every contender's cached X (0: 2 per core)
 * @param blockRows rows per spark-gemm and floor block (0: about 4 MB of X)
 * @param fitIterations iterations of the fits (20 by the goal)
 * @param warmups untimed runs of each timed operation before its timed runs (fits: none, their
 *     warm-up is part of what they cost)
 */
public record BenchConfig(List<Shape> shapes, DType dtype, int reps, List<String> contenders,
    List<Integer> blasThreads, int partitions, int blockRows, long seed, int fitIterations,
    int warmups) {
  public static final String FLOOR = "floor";
  public static final String SPARK_GEMM = "spark-gemm";
  public static final String ROW_MATRIX = "mllib-rowmatrix";
  public static final String BLOCK_MATRIX = "mllib-blockmatrix";
  public static final String LOGISTIC = "mllib-lr";
  public static final List<String> CONTENDERS = List.of(FLOOR, SPARK_GEMM, ROW_MATRIX,
      BLOCK_MATRIX, LOGISTIC);

  public BenchConfig {
    if (reps < 1 || fitIterations < 1) {
      throw new IllegalArgumentException("--reps and the fit iterations must be >= 1, got "
          + reps + " and " + fitIterations);
    }
    if (warmups < 0) {
      throw new IllegalArgumentException("--warmup must be >= 0, got " + warmups);
    }
    for (String c : contenders) {
      if (!CONTENDERS.contains(c)) {
        throw new IllegalArgumentException("Unknown contender '" + c + "': expected some of "
            + String.join(", ", CONTENDERS));
      }
    }
    if (blasThreads.isEmpty() || blasThreads.stream().anyMatch(t -> t < 1)) {
      throw new IllegalArgumentException("--blas-threads needs counts >= 1, got " + blasThreads);
    }
    if (partitions < 0 || blockRows < 0) {
      throw new IllegalArgumentException("--partitions and --block-rows must be >= 0 (0: "
          + "automatic), got " + partitions + ", " + blockRows);
    }
    contenders = List.copyOf(contenders);
    blasThreads = List.copyOf(blasThreads);
  }

  public boolean runs(String contender) {
    return contenders.contains(contender);
  }

  /** The BLAS thread count of the main rows. */
  public int mainThreads() {
    return blasThreads.get(0);
  }

  /** The extra thread counts, for oversubscription rows. */
  public List<Integer> extraThreads() {
    return blasThreads.subList(1, blasThreads.size()).stream()
        .filter(t -> !t.equals(blasThreads.get(0))).distinct().toList();
  }
}
