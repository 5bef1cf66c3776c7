package io.sparkgemm.ml;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.LinearKernels;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted linear layer Y = XW + b. {@link #transform} runs the forward pass block by block on
 * the executors (rows stacked into a dense block, one GEMM per block, W and b broadcast once)
 * and appends the subclass's output columns. Saved as {@link LayerModel} says, W and b as one
 * Parquet row under {@code data/}.
 */
public abstract class LinearLayerModel<M extends LinearLayerModel<M>> extends LayerModel<M> {
  private static final long serialVersionUID = 1L;

  private final DenseBlock w;
  private final double[] b;

  protected LinearLayerModel(String uid, DenseBlock w, double[] b) {
    super(uid, w.numRows(), w.numCols());
    this.w = w;
    this.b = b.clone();
  }

  /** W, d x k (float64; do not modify). */
  public DenseBlock weights() {
    return w;
  }

  /** b, length k (a copy). */
  public double[] bias() {
    return b.clone();
  }

  @Override
  protected BlockForward broadcastForward(JavaSparkContext jsc) {
    Broadcast<DenseBlock> wCast = jsc.broadcast(w);
    Broadcast<double[]> bCast = jsc.broadcast(b);
    return backend -> {
      LinearKernels kernels = new LinearKernels(backend);
      DenseBlock weights = wCast.value();
      double[] bias = bCast.value();
      // x: n x d   w: d x k   y: n x k
      return x -> kernels.forward(x, weights, bias);
    };
  }

  @Override
  protected String describe() {
    return "the model's W is " + w.shape();
  }

  // ---- persistence ----

  /** W and b as one Parquet row under {@code data/}. */
  @Override
  protected void saveData(String path, SparkSession spark) {
    StructType schema = new StructType()
        .add("rows", DataTypes.IntegerType, false)
        .add("cols", DataTypes.IntegerType, false)
        .add("w", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("b", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    Row row = RowFactory.create(w.numRows(), w.numCols(), w.toDType(DType.FLOAT64).doubles(), b);
    spark.createDataFrame(List.of(row), schema).repartition(1).write().parquet(path + "/data");
  }

  /** Creates a model of the saved class from W and b. */
  interface Factory<T> {
    T create(String uid, DenseBlock w, double[] b);
  }

  /** Reads what {@link #saveData} wrote. */
  static final class Reader<T extends LinearLayerModel<T>> extends StageReader<T> {
    private final Factory<T> factory;

    Reader(Class<T> type, Factory<T> factory) {
      super(type);
      this.factory = factory;
    }

    @Override
    T create(String uid, String path) {
      Row row = sparkSession().read().parquet(path + "/data").first();
      int rows = row.getInt(0);
      int cols = row.getInt(1);
      List<Double> wList = row.getList(2);
      List<Double> bList = row.getList(3);
      double[] w = wList.stream().mapToDouble(Double::doubleValue).toArray();
      double[] b = bList.stream().mapToDouble(Double::doubleValue).toArray();
      return factory.create(uid, DenseBlock.ofDoubles(rows, cols, w), b);
    }
  }
}
