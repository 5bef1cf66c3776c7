package io.sparkgemm.bench;

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
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * MLlib's MultilayerPerceptronClassifier objective f(θ) and ∇f(θ) as its L-BFGS computes them:
 * the rows one-hot encoded and stacked into blocks of {@code stackSize} (its {@code blockSize})
 * by its {@code DataStacker}, cached as its trainer caches them, and one {@code LBFGS.CostFun}
 * evaluation per call: a treeAggregate of {@code ANNGradient} over the blocks, divided by the
 * number of blocks. Its {@code private[ml]} classes are public in bytecode; CostFun is built by
 * reflection.
 */
final class MllibCost {
  private final JavaRDD<?> stacked;
  private final long numBlocks;
  private final DiffFunction<DenseVector<Object>> cost;

  /** f and ∇f at one θ. */
  record Evaluation(double value, double[] gradient) {
  }

  /** Stacks and caches {@code data}'s (features vector, class label) rows. */
  MllibCost(Dataset<Row> data, String featuresCol, String labelCol, int[] layers,
      int stackSize) {
    int d = layers[0];
    int k = layers[layers.length - 1];
    JavaRDD<Tuple2<Vector, Vector>> pairs = data.select(featuresCol, labelCol).toJavaRDD()
        .map(row -> {
          double[] onehot = new double[k];
          onehot[(int) row.getDouble(1)] = 1;
          return new Tuple2<>((Vector) row.get(0), Vectors.dense(onehot));
        });
    DataStacker stacker = new DataStacker(stackSize, d, k);
    RDD<Tuple2<Object, Vector>> blocks = stacker.stack(pairs.rdd());
    // MLlib's optimizers take its old vectors
    var old = blocks.toJavaRDD().map(t -> new Tuple2<>(t._1(), fromML(t._2())));
    old.persist(StorageLevel.MEMORY_AND_DISK());
    stacked = old;
    numBlocks = stacked.count();
    ANNGradient gradient = new ANNGradient(FeedForwardTopology.multiLayerPerceptron(layers,
        true), stacker);
    cost = costFun(stacked.rdd(), gradient, new ANNUpdater(), numBlocks);
  }

  long numBlocks() {
    return numBlocks;
  }

  /** One loss-and-gradient job at θ (not modified). */
  Evaluation evaluate(double[] theta) {
    Tuple2<Object, DenseVector<Object>> out = cost.calculate(
        new DenseVector<Object>(theta.clone()));
    DenseVector<Object> g = out._2();
    double[] grad = new double[g.length()];
    for (int i = 0; i < grad.length; i++) {
      grad[i] = (Double) g.apply(i);
    }
    return new Evaluation((Double) out._1(), grad);
  }

  void release() {
    stacked.unpersist(false);
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
