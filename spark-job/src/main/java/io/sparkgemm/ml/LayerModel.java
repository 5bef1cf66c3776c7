package io.sparkgemm.ml;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.GemmBackend;
import java.io.Serializable;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What every fitted model here shares: {@link #transform} stacks each partition's rows into
 * dense blocks (up to {@code blockRows} rows), runs the subclass's forward on each block on the
 * executors (its parameters broadcast once) and appends the subclass's output columns.
 *
 * @param <M> the model
 */
public abstract class LayerModel<M extends LayerModel<M>> extends Model<M>
    implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> featuresCol;
  private final Param<String> predictionCol;
  private final Param<String> backend;
  private final IntParam blockRows;
  private double[] objectiveHistory = new double[0];

  protected LayerModel(String uid) {
    this.uid = uid;
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

  /** d, the features a row must have. */
  public abstract int numFeatures();

  /** k, the outputs per row. */
  public abstract int numOutputs();

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

  /**
   * The forward pass as it travels to the executors: {@link #open} runs once per partition
   * (reading the broadcast parameters) and returns the function from a block X (n x d) to its
   * Y (n x k).
   */
  public interface BlockForward extends Serializable {
    UnaryOperator<DenseBlock> open(GemmBackend backend);
  }

  /** The output columns' function; captures nothing large (it travels with every task). */
  protected abstract Outputs outputs();

  /** Adds the output columns to {@code schema}. */
  protected abstract StructType withOutputColumns(StructType schema);

  /** Broadcasts the parameters once and returns the forward that reads them. */
  protected abstract BlockForward broadcastForward(JavaSparkContext jsc);

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
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(
        dataset.sparkSession().sparkContext());
    BlockForward forward = broadcastForward(jsc);
    int featuresIndex = dataset.schema().fieldIndex($(featuresCol));
    BackendOptions options = new BackendOptions($(backend), 1, null);
    int d = numFeatures();
    int rowsPerBlock = (Integer) $(blockRows) > 0 ? (Integer) $(blockRows)
        : (int) Math.max(1, Math.min(8192, (4L << 20) / (8L * Math.max(1, d))));
    Outputs outputs = outputs();
    String shape = describe();
    MapPartitionsFunction<Row, Row> rows = in -> new ForwardRows(in, featuresIndex,
        rowsPerBlock, d, shape, forward, options, outputs);
    return dataset.toDF().mapPartitions(rows, Encoders.row(out));
  }

  /** What the model is, for errors about rows that do not fit it. */
  protected abstract String describe();
}
