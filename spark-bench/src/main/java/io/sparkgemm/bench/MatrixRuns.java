package io.sparkgemm.bench;

import io.sparkgemm.local.Norms;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrices;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * MLlib's distributed matrices on the same data: {@code RowMatrix.multiply} (forward: per row, k
 * dot products against the broadcast W) and {@code BlockMatrix.multiply} (forward, and XᵀG for
 * dW), each with X cached in its own form (rows of DenseVector; 1024 x 1024 tiles). MLlib is
 * float64 only.
 */
final class MatrixRuns {
  /** MLlib's default tile size. */
  static final int TILE = 1024;

  private MatrixRuns() {
  }

  static void rowMatrix(ShapeRun run) {
    SeededData data = run.data;
    int d = run.shape.d();
    long before = run.cachedBytesNow();
    JavaRDD<Vector> rows = ranges(run, run.partitions).flatMap(range -> {
      List<Vector> out = new ArrayList<>();
      for (long r = range[0]; r < range[1]; r++) {
        double[] x = new double[d];
        data.xRow(r, x, 0);
        out.add(Vectors.dense(x));
      }
      return out.iterator();
    }).persist(StorageLevel.MEMORY_AND_DISK());
    rows.setName("mllib-rowmatrix rows");
    run.spark.sparkContext().setJobDescription("spark-gemm bench: cache RowMatrix rows");
    rows.count();
    long cached = run.cachedBytesNow() - before;
    try {
      RowMatrix x = new RowMatrix(rows.rdd(), run.shape.n(), d);
      Matrix w = localW(run);
      run.spark.sparkContext().setJobDescription("spark-gemm bench: RowMatrix.multiply (check)");
      JavaRDD<Vector> y = x.multiply(w).rows().toJavaRDD().persist(StorageLevel.MEMORY_AND_DISK());
      int k = run.shape.k();
      // Rows keep their order through multiply's map: the i-th row is row id i.
      RowSketch sketch = y.zipWithIndex().aggregate(new RowSketch(k),
          (s, t) -> s.addRow(t._2(), t._1().toArray(), 0), RowSketch::merge);
      y.unpersist(false);
      double error = sketch.relativeError(run.reference.get(Op.FORWARD).y());
      run.spark.sparkContext().setJobDescription("spark-gemm bench: RowMatrix.multiply");
      Timings seconds = Timings.measure(run.config.warmups(), run.config.reps(),
          () -> Timings.wall(() -> x.multiply(w).rows().count()));
      run.add(BenchConfig.ROW_MATRIX, Op.FORWARD, run.config.mainThreads(), seconds,
          error, cached, null, "multiply(local W).rows().count(); float64");
    } finally {
      rows.unpersist(true);
    }
  }

  static void blockMatrix(ShapeRun run) {
    long n = run.shape.n();
    int d = run.shape.d();
    int k = run.shape.k();
    long before = run.cachedBytesNow();
    BlockMatrix x = tiles(run, d, false).persist(StorageLevel.MEMORY_AND_DISK());
    x.blocks().setName("mllib-blockmatrix tiles of X");
    run.spark.sparkContext().setJobDescription("spark-gemm bench: cache BlockMatrix X");
    x.blocks().count();
    long cached = run.cachedBytesNow() - before;
    BlockMatrix g = tiles(run, k, true).persist(StorageLevel.MEMORY_AND_DISK());
    g.blocks().count();
    try {
      BlockMatrix w = wTiles(run);
      int threads = run.config.mainThreads();
      // Forward: Y = X W, checked on the warm-up run's tiles.
      run.spark.sparkContext().setJobDescription("spark-gemm bench: BlockMatrix X W (check)");
      BlockMatrix y = x.multiply(w);
      y.persist(StorageLevel.MEMORY_AND_DISK());
      RowSketch sketch = y.blocks().toJavaRDD().aggregate(new RowSketch(k), (s, tile) -> {
        addTile(s, tile._1(), tile._2());
        return s;
      }, RowSketch::merge);
      y.blocks().unpersist(false);
      double error = sketch.relativeError(run.reference.get(Op.FORWARD).y());
      run.spark.sparkContext().setJobDescription("spark-gemm bench: BlockMatrix X W");
      Timings forward = Timings.measure(run.config.warmups(), run.config.reps(),
          () -> Timings.wall(() -> x.multiply(w).blocks().count()));
      run.add(BenchConfig.BLOCK_MATRIX, Op.FORWARD, threads, forward, error, cached,
          null, "multiply(W as a BlockMatrix).blocks().count(); " + TILE + "x" + TILE
              + " tiles; float64");
      // Backward: dW = Xᵀ G (BlockMatrix has no column sums: db is not computed).
      run.spark.sparkContext().setJobDescription("spark-gemm bench: BlockMatrix Xᵀ G");
      double[] dw = toRowMajor(x.transpose().multiply(g).blocks().toJavaRDD().collect(), d, k);
      double dwError = Norms.relativeError(dw, run.reference.get(Op.BACKWARD).gradients().dw());
      Timings backward = Timings.measure(run.config.warmups(), run.config.reps(),
          () -> Timings.wall(() -> x.transpose().multiply(g).blocks().toJavaRDD().collect()));
      run.add(BenchConfig.BLOCK_MATRIX, Op.BACKWARD, threads, backward, dwError,
          cached, null, "transpose().multiply(G).blocks().collect(): dW only (no db); float64");
    } finally {
      x.blocks().unpersist(true);
      g.blocks().unpersist(true);
    }
  }

  /** Row ranges [from, to) of X, one per partition. */
  private static JavaRDD<long[]> ranges(ShapeRun run, int partitions) {
    long n = run.shape.n();
    List<long[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ranges.add(new long[] {n * p / partitions, n * (p + 1) / partitions});
    }
    return JavaSparkContext.fromSparkContext(run.spark.sparkContext())
        .parallelize(ranges, partitions);
  }

  /** X (cols = d) or G (cols = k) as TILE x TILE column-major tiles. */
  private static BlockMatrix tiles(ShapeRun run, int cols, boolean gradient) {
    SeededData data = run.data;
    long n = run.shape.n();
    int rowBlocks = Math.toIntExact((n + TILE - 1) / TILE);
    List<Integer> indices = IntStream.range(0, rowBlocks).boxed().toList();
    JavaRDD<Tuple2<Tuple2<Object, Object>, Matrix>> tiles = JavaSparkContext
        .fromSparkContext(run.spark.sparkContext())
        .parallelize(indices, Math.min(run.partitions, rowBlocks)).flatMap(i -> {
          long from = (long) i * TILE;
          int rows = (int) Math.min(TILE, n - from);
          double[] row = new double[cols];
          double[][] colMajor = new double[(cols + TILE - 1) / TILE][];
          for (int j = 0; j < colMajor.length; j++) {
            colMajor[j] = new double[rows * Math.min(TILE, cols - j * TILE)];
          }
          for (int r = 0; r < rows; r++) {
            if (gradient) {
              data.gRow(from + r, row, 0);
            } else {
              data.xRow(from + r, row, 0);
            }
            for (int c = 0; c < cols; c++) {
              colMajor[c / TILE][(c % TILE) * rows + r] = row[c];
            }
          }
          List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
          for (int j = 0; j < colMajor.length; j++) {
            int width = Math.min(TILE, cols - j * TILE);
            out.add(new Tuple2<>(new Tuple2<>(i, j), Matrices.dense(rows, width, colMajor[j])));
          }
          return out.iterator();
        });
    return new BlockMatrix(tiles.rdd(), TILE, TILE, n, cols);
  }

  /** W (d x k) as TILE x TILE tiles, so that X's column tiles meet W's row tiles. */
  private static BlockMatrix wTiles(ShapeRun run) {
    int d = run.shape.d();
    int k = run.shape.k();
    double[] w = run.wDoubles();
    List<Tuple2<Tuple2<Object, Object>, Matrix>> tiles = new ArrayList<>();
    for (int i = 0; i * TILE < d; i++) {
      for (int j = 0; j * TILE < k; j++) {
        int rows = Math.min(TILE, d - i * TILE);
        int cols = Math.min(TILE, k - j * TILE);
        double[] colMajor = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            colMajor[c * rows + r] = w[(i * TILE + r) * k + j * TILE + c];
          }
        }
        tiles.add(new Tuple2<>(new Tuple2<>(i, j), Matrices.dense(rows, cols, colMajor)));
      }
    }
    JavaRDD<Tuple2<Tuple2<Object, Object>, Matrix>> rdd = JavaSparkContext
        .fromSparkContext(run.spark.sparkContext()).parallelize(tiles, 1);
    return new BlockMatrix(rdd.rdd(), TILE, TILE, d, k);
  }

  /** W as MLlib's local column-major matrix. */
  private static Matrix localW(ShapeRun run) {
    int d = run.shape.d();
    int k = run.shape.k();
    double[] w = run.wDoubles();
    double[] colMajor = new double[d * k];
    for (int r = 0; r < d; r++) {
      for (int c = 0; c < k; c++) {
        colMajor[c * d + r] = w[r * k + c];
      }
    }
    return new DenseMatrix(d, k, colMajor);
  }

  /** Adds tile (i, j) of a TILE-tiled n-row matrix to a row sketch. */
  private static void addTile(RowSketch sketch, Tuple2<Object, Object> index, Matrix tile) {
    long firstRow = (long) (Integer) index._1() * TILE;
    int firstCol = (Integer) index._2() * TILE;
    double[] row = new double[tile.numCols()];
    for (int r = 0; r < tile.numRows(); r++) {
      for (int c = 0; c < row.length; c++) {
        row[c] = tile.apply(r, c);
      }
      sketch.addPart(firstRow + r, row, 0, firstCol, row.length);
    }
  }

  /** Collected tiles of a d x k result as one row-major array. */
  private static double[] toRowMajor(List<Tuple2<Tuple2<Object, Object>, Matrix>> tiles, int d,
      int k) {
    double[] out = new double[d * k];
    for (Tuple2<Tuple2<Object, Object>, Matrix> t : tiles) {
      int firstRow = (Integer) t._1()._1() * TILE;
      int firstCol = (Integer) t._1()._2() * TILE;
      Matrix m = t._2();
      for (int r = 0; r < m.numRows(); r++) {
        for (int c = 0; c < m.numCols(); c++) {
          out[(firstRow + r) * k + firstCol + c] = m.apply(r, c);
        }
      }
    }
    return out;
  }
}
