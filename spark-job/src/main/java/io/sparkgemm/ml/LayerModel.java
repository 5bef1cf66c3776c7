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
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * What every fitted model here shares: {@link #transform} stacks each partition's rows into
 * dense blocks (up to {@code blockRows} rows), runs the subclass's forward on each block on the
 * executors (its parameters broadcast once) and appends its {@link ModelHead}'s output
 * columns. Saved with MLlib's writers: the Params as MLlib metadata, then the subclass's
 * parameters ({@link #saveData}, read back by a {@link StageReader}).
 *
 * @param <M> the model
 */
public abstract class LayerModel<M extends LayerModel<M>> extends Model<M>
    implements MLWritable, ModelHead {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> featuresCol;
  private final Param<String> predictionCol;
  private final Param<String> backend;
  private final IntParam blockRows;
  private final int numFeatures;
  private final int numOutputs;
  private double[] objectiveHistory = new double[0];

  /**
   * @param numFeatures d, the features a row must have
   * @param numOutputs k, the outputs per row
   */
  protected LayerModel(String uid, int numFeatures, int numOutputs) {
    this.uid = uid;
    this.numFeatures = numFeatures;
    this.numOutputs = numOutputs;
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
  public int numFeatures() {
    return numFeatures;
  }

  /** k, the outputs per row. */
  @Override
  public int numOutputs() {
    return numOutputs;
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

  /**
   * The forward pass as it travels to the executors: {@link #open} runs once per partition
   * (reading the broadcast parameters) and returns the function from a block X (n x d) to its
   * Y (n x k).
   */
  public interface BlockForward extends Serializable {
    UnaryOperator<DenseBlock> open(GemmBackend backend);
  }

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

  // ---- persistence ----

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** Writes the parameters, what the Params do not hold, under the stage's folder. */
  protected abstract void saveData(String path, SparkSession spark);

  /** Writes the Params as MLlib metadata, then the parameters. */
  private static final class Writer extends MLWriter {
    private final LayerModel<?> model;

    Writer(LayerModel<?> model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      model.saveData(path, sparkSession());
    }
  }

  /** Reads what {@link #write} wrote into a model of the saved class. */
  abstract static class StageReader<T extends LayerModel<T>> extends MLReader<T> {
    private final Class<T> type;

    StageReader(Class<T> type) {
      this.type = type;
    }

    /** The model {@code uid} with the parameters saved under {@code path}, default Params. */
    abstract T create(String uid, String path);

    @Override
    public T load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path,
          sparkSession(), type.getName());
      T model = create(metadata.uid(), path);
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }
}
