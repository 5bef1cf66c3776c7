package io.sparkgemm.bench;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The MLlib contender of the bench's train section, as a program a user would submit: reads
 * {@code generate}'s Parquet file (features array, label), turns the array into an MLlib vector
 * and fits a multinomial {@code LogisticRegression} for a fixed number of L-BFGS iterations
 * (tol 0, L2 {@code reg} on W only: {@code regParam = reg}, elastic net 0, standardization off,
 * which is spark-gemm train's softmax-ce objective). Prints one JSON line: seconds to read and
 * fit, the iterations and MLlib's final objective.
 *
 * <p>{@code main(master, X.parquet, iterations, reg)}.
 */
public final class MllibTrain {
  private MllibTrain() {
  }

  public static void main(String[] args) throws Exception {
    String master = args[0];
    String path = args[1];
    int iterations = Integer.parseInt(args[2]);
    double reg = Double.parseDouble(args[3]);
    SparkSession spark = SparkSession.builder().master(master).appName("MLlib LogisticRegression")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      long start = System.nanoTime();
      Dataset<Row> rows = spark.read().parquet(path).select(col("label").cast("double")
          .as("label"), functions.array_to_vector(col("features")).as("features"));
      LogisticRegressionModel model = new LogisticRegression().setFamily("multinomial")
          .setMaxIter(iterations).setTol(0).setRegParam(reg).setElasticNetParam(0)
          .setStandardization(false).fit(rows);
      double seconds = (System.nanoTime() - start) / 1e9;
      double[] history = model.summary().objectiveHistory();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("seconds", seconds);
      out.put("iterations", model.summary().totalIterations());
      out.put("objective", history[history.length - 1]);
      System.out.println(new ObjectMapper().writeValueAsString(out));
    } finally {
      spark.stop();
    }
  }
}
