package io.sparkgemm.ml;

import io.sparkgemm.spark.train.IterationRecord;
import io.sparkgemm.spark.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * How a model was trained, as MLlib's training summaries say it: the objective (mean loss +
 * L2 term) per iteration (per epoch for sgd and adam; empty for the normal equations), the
 * iterations run and why training stopped. Saved with the model under {@code summary/}.
 */
public final class NetworkTrainingSummary implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String DIR = "summary";

  private final double[] objectiveHistory;
  private final int totalIterations;
  private final String stopReason;

  public NetworkTrainingSummary(double[] objectiveHistory, int totalIterations,
      String stopReason) {
    this.objectiveHistory = objectiveHistory.clone();
    this.totalIterations = totalIterations;
    this.stopReason = stopReason;
  }

  static NetworkTrainingSummary of(Trainer.Result result) {
    double[] history = result.history().stream().mapToDouble(IterationRecord::objective)
        .toArray();
    int iterations = result.history().isEmpty() ? 0 : result.last().iteration();
    return new NetworkTrainingSummary(history, iterations, result.stopReason().label());
  }

  /** The objective at the start and after every iteration (a copy). */
  public double[] objectiveHistory() {
    return objectiveHistory.clone();
  }

  /** The iterations (epochs for sgd and adam) run. */
  public int totalIterations() {
    return totalIterations;
  }

  /** Why training stopped, e.g. "converged: ..." or "closed form". */
  public String stopReason() {
    return stopReason;
  }

  private static StructType schema() {
    return new StructType()
        .add("objectiveHistory", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("totalIterations", DataTypes.IntegerType, false)
        .add("stopReason", DataTypes.StringType, false);
  }

  /** One Parquet row under {@code path/summary}. */
  void save(String path, SparkSession spark) {
    Row row = RowFactory.create(objectiveHistory, totalIterations, stopReason);
    spark.createDataFrame(List.of(row), schema()).repartition(1).write()
        .parquet(path + "/" + DIR);
  }

  /** What {@link #save} wrote, or null when the model was saved without a summary. */
  static NetworkTrainingSummary load(String path, SparkSession spark) {
    Path dir = new Path(path, DIR);
    try {
      if (!dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(dir)) {
        return null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + dir + ": " + e.getMessage(), e);
    }
    Row row = spark.read().schema(schema()).parquet(dir.toString()).first();
    List<Double> history = row.getList(0);
    return new NetworkTrainingSummary(history.stream().mapToDouble(Double::doubleValue)
        .toArray(), row.getInt(1), row.getString(2));
  }
}
