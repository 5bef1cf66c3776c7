package io.sparkgemm.ml;

import breeze.linalg.DenseVector;
import breeze.optimize.DiffFunction;
import static org.apache.spark.mllib.linalg.Vectors.fromML;

import java.lang.reflect.Constructor;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.ann.ANNGradient;
import org.apache.spark.ml.ann.ANNUpdater;
import org.apache.spark.ml.ann.DataStacker;
import org.apache.spark.ml.ann.FeedForwardTopology;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.mllib.optimization.Gradient;
import org.apache.spark.mllib.optimization.Updater;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * MLlib's MultilayerPerceptronClassifier seen from inside (its {@code private[ml]} classes are
 * public in bytecode): its random initial weights and its objective f(θ) and ∇f(θ) computed
 * exactly as its L-BFGS computes them, by {@code LBFGS.CostFun} (a treeAggregate of
 * {@code ANNGradient} over the rows stacked into blocks of {@code blockSize}, divided by the
 * number of blocks).
 */
final class MllibMlp {
  private MllibMlp() {
  }

  /** f and ∇f at one θ. */
  record Evaluation(double value, double[] gradient) {
  }

  /** MLlib's own initial weights for {@code layers} (sigmoid hidden layers, softmax top). */
  static double[] initialWeights(int[] layers, long seed) {
    return FeedForwardTopology.multiLayerPerceptron(layers, true).model(seed).weights()
        .toArray();
  }

  /**
   * MLlib's CostFun at θ over {@code data}'s (features vector, class label double) columns:
   * one Spark job, as one L-BFGS evaluation runs it.
   */
  static Evaluation evaluate(Dataset<Row> data, String featuresCol, String labelCol,
      int[] layers, int blockSize, double[] theta) {
    int d = layers[0];
    int k = layers[layers.length - 1];
    JavaRDD<Tuple2<Vector, Vector>> pairs = data.select(featuresCol, labelCol).toJavaRDD()
        .map(row -> {
          double[] onehot = new double[k];
          onehot[(int) row.getDouble(1)] = 1;
          return new Tuple2<>((Vector) row.get(0), Vectors.dense(onehot));
        });
    DataStacker stacker = new DataStacker(blockSize, d, k);
    RDD<Tuple2<Object, Vector>> stacked = stacker.stack(pairs.rdd());
    // MLlib's optimizers take its old vectors
    var old = stacked.toJavaRDD().map(t -> new Tuple2<>(t._1(), fromML(t._2())));
    old.cache();
    try {
      long count = old.count();
      ANNGradient gradient = new ANNGradient(
          FeedForwardTopology.multiLayerPerceptron(layers, true), stacker);
      DiffFunction<DenseVector<Object>> cost = costFun(old.rdd(), gradient, new ANNUpdater(),
          count);
      Tuple2<Object, DenseVector<Object>> out = cost.calculate(
          new DenseVector<Object>(theta.clone()));
      DenseVector<Object> g = out._2();
      double[] grad = new double[g.length()];
      for (int i = 0; i < grad.length; i++) {
        grad[i] = (Double) g.apply(i);
      }
      return new Evaluation((Double) out._1(), grad);
    } finally {
      old.unpersist(false);
    }
  }

  /** {@code new LBFGS.CostFun(data, gradient, updater, regParam = 0, numExamples)}. */
  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> costFun(RDD<?> data, Gradient gradient,
      Updater updater, long numExamples) {
    try {
      Class<?> type = Class.forName("org.apache.spark.mllib.optimization.LBFGS$CostFun");
      Constructor<?> constructor = type.getDeclaredConstructor(RDD.class, Gradient.class,
          Updater.class, double.class, long.class);
      constructor.setAccessible(true);
      return (DiffFunction<DenseVector<Object>>) constructor.newInstance(data, gradient,
          updater, 0.0, numExamples);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("MLlib's LBFGS.CostFun is not where Spark 4.2 has it", e);
    }
  }
}
