package io.sparkgemm.ml;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted linear layer Y = XW + b. {@link #transform} runs the forward pass block by block on
 * the executors (rows stacked into a dense block, one GEMM per block, W and b broadcast once)
 * and appends the subclass's output columns. Saved with MLlib's writers: the Params as MLlib
 * metadata, W and b as one Parquet row under {@code data/}.
 */
public abstract class LinearLayerModel<M extends LinearLayerModel<M>> extends Model<M>
    implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final DenseBlock w;
  private final double[] b;
  private final Param<String> featuresCol;
  private final Param<String> predictionCol;
  private final Param<String> backend;
  private final IntParam blockRows;
  private double[] objectiveHistory = new double[0];

  protected LinearLayerModel(String uid, DenseBlock w, double[] b) {
    this.uid = uid;
    this.w = w;
    this.b = b.clone();
    featuresCol = new Param<>(this, "featuresCol", "features column (vector or array<double>)");
    predictionCol = new Param<>(this, "predictionCol", "prediction column");
    backend = new Param<>(this, "backend", "GEMM backend: auto, native, java or reference");
    blockRows = new IntParam(this, "blockRows", "rows per dense block, 0 for automatic");
    setDefault(featuresCol, "features");
    setDefault(predictionCol, "prediction");
    setDefault(backend, "auto");
    setDefault(blockRows, 0);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** W, d x k (float64; do not modify). */
  public DenseBlock weights() {
    return w;
  }

  /** b, length k (a copy). */
  public double[] bias() {
    return b.clone();
  }

  public int numFeatures() {
    return w.numRows();
  }

  public int numOutputs() {
    return w.numCols();
  }

  /** The objective per iteration of the training that produced this model (not saved). */
  public double[] objectiveHistory() {
    return objectiveHistory.clone();
  }

  void setObjectiveHistory(double[] history) {
    this.objectiveHistory = history.clone();
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> backend() {
    return backend;
  }

  public IntParam blockRows() {
    return blockRows;
  }

  /** Turns one row's y (length k) into the output columns, in schema order. */
  public interface Outputs extends Serializable {
    Object[] apply(double[] y);
  }

  /** The output columns' function; captures nothing large (it travels with every task). */
  protected abstract Outputs outputs();

  /** Adds the output columns to {@code schema}. */
  protected abstract StructType withOutputColumns(StructType schema);

  @Override
  public StructType transformSchema(StructType schema) {
    int index = schema.fieldIndex($(featuresCol));
    String type = schema.fields()[index].dataType().typeName();
    if (!type.equals("vector") && !type.equals("array")) {
      throw new IllegalArgumentException("Column " + $(featuresCol) + " is " + type
          + ", expected a vector or array<double> of " + numFeatures() + " features");
    }
    return withOutputColumns(schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    SparkSession spark = dataset.sparkSession();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<DenseBlock> wCast = jsc.broadcast(w);
    Broadcast<double[]> bCast = jsc.broadcast(b);
    int featuresIndex = dataset.schema().fieldIndex($(featuresCol));
    BackendOptions options = new BackendOptions($(backend), 1, null);
    int d = numFeatures();
    int rowsPerBlock = (Integer) $(blockRows) > 0 ? (Integer) $(blockRows)
        : (int) Math.max(1, Math.min(8192, (4L << 20) / (8L * Math.max(1, d))));
    Outputs outputs = outputs();
    MapPartitionsFunction<Row, Row> forward = rows -> new ForwardRows(rows, featuresIndex,
        rowsPerBlock, wCast.value(), bCast.value(), options, outputs);
    return dataset.toDF().mapPartitions(forward, Encoders.row(out));
  }

  /** Rows in, rows with outputs appended out: up to blockRows rows per GEMM. */
  private static final class ForwardRows implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final int featuresIndex;
    private final int blockRows;
    private final DenseBlock w;
    private final double[] b;
    private final LinearKernels kernels;
    private final Outputs outputs;
    private final List<Row> pending = new ArrayList<>();
    private int next;

    ForwardRows(Iterator<Row> rows, int featuresIndex, int blockRows, DenseBlock w, double[] b,
        BackendOptions options, Outputs outputs) {
      this.rows = rows;
      this.featuresIndex = featuresIndex;
      this.blockRows = blockRows;
      this.w = w;
      this.b = b;
      this.kernels = new LinearKernels(Backends.select(options));
      this.outputs = outputs;
    }

    @Override
    public boolean hasNext() {
      if (next < pending.size()) {
        return true;
      }
      pending.clear();
      next = 0;
      if (!rows.hasNext()) {
        return false;
      }
      List<Row> in = new ArrayList<>();
      while (rows.hasNext() && in.size() < blockRows) {
        in.add(rows.next());
      }
      int d = w.numRows();
      int k = w.numCols();
      double[] x = new double[in.size() * d];
      for (int r = 0; r < in.size(); r++) {
        double[] features = features(in.get(r));
        if (features.length != d) {
          throw new IllegalArgumentException("A row has " + features.length + " features but "
              + "the model's W is " + w.shape() + " (d = " + d + ")");
        }
        System.arraycopy(features, 0, x, r * d, d);
      }
      // x: rows x d   w: d x k   y: rows x k
      DenseBlock y = kernels.forward(DenseBlock.ofDoubles(in.size(), d, x), w, b);
      double[] yv = y.toDType(DType.FLOAT64).doubles();
      for (int r = 0; r < in.size(); r++) {
        Row row = in.get(r);
        double[] yr = new double[k];
        System.arraycopy(yv, r * k, yr, 0, k);
        Object[] extra = outputs.apply(yr);
        Object[] values = new Object[row.length() + extra.length];
        for (int i = 0; i < row.length(); i++) {
          values[i] = row.get(i);
        }
        System.arraycopy(extra, 0, values, row.length(), extra.length);
        pending.add(RowFactory.create(values));
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.get(next++);
    }

    private double[] features(Row row) {
      Object v = row.get(featuresIndex);
      if (v instanceof Vector vector) {
        return vector.toArray();
      }
      List<Object> list = row.getList(featuresIndex);
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) list.get(i)).doubleValue();
      }
      return out;
    }
  }

  // ---- persistence ----

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** Writes the Params as MLlib metadata and W, b as one Parquet row. */
  private static final class Writer extends MLWriter {
    private final LinearLayerModel<?> model;

    Writer(LinearLayerModel<?> model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      StructType schema = new StructType()
          .add("rows", DataTypes.IntegerType, false)
          .add("cols", DataTypes.IntegerType, false)
          .add("w", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
          .add("b", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
      Row row = RowFactory.create(model.w.numRows(), model.w.numCols(),
          model.w.toDType(DType.FLOAT64).doubles(), model.b);
      sparkSession().createDataFrame(List.of(row), schema).repartition(1).write()
          .parquet(path + "/data");
    }
  }

  /** Creates a model of the saved class from W and b. */
  interface Factory<T> {
    T create(String uid, DenseBlock w, double[] b);
  }

  /** Reads what {@link Writer} wrote. */
  static final class Reader<T extends LinearLayerModel<T>> extends MLReader<T> {
    private final Class<T> type;
    private final Factory<T> factory;

    Reader(Class<T> type, Factory<T> factory) {
      this.type = type;
      this.factory = factory;
    }

    @Override
    public T load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path,
          sparkSession(), type.getName());
      Row row = sparkSession().read().parquet(path + "/data").first();
      int rows = row.getInt(0);
      int cols = row.getInt(1);
      List<Double> wList = row.getList(2);
      List<Double> bList = row.getList(3);
      double[] w = wList.stream().mapToDouble(Double::doubleValue).toArray();
      double[] b = bList.stream().mapToDouble(Double::doubleValue).toArray();
      T model = factory.create(metadata.uid(), DenseBlock.ofDoubles(rows, cols, w), b);
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
