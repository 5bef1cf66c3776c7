package io.sparkgemm.bench;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.GradientAccumulator;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.spark.block.CacheLevels;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;

/**
 * Everything the contenders of one shape share: the seeded data, W and b, the floor's reference
 * results and timings, and the records made so far.
 */
final class ShapeRun {
  final SparkSession spark;
  final BenchConfig config;
  final Shape shape;
  final SeededData data;
  /** d x k in the bench's dtype (xavier, seed 1); b is zero (MLlib's multiplies have none). */
  final DenseBlock w;
  final double[] b;
  final int cores;
  final int partitions;
  final int blockRows;
  final Map<Op, Floor.Output> reference = new EnumMap<>(Op.class);
  final Map<Op, Double> floorMedian = new EnumMap<>(Op.class);
  final List<BenchRecord> records = new ArrayList<>();

  ShapeRun(SparkSession spark, BenchConfig config, Shape shape, int cores, int partitions,
      int blockRows) {
    this.spark = spark;
    this.config = config;
    this.shape = shape;
    this.data = new SeededData(shape, config.dtype(), config.seed());
    this.w = WeightInit.create("xavier", shape.d(), shape.k(), 1).toDType(config.dtype());
    this.b = new double[shape.k()];
    this.cores = cores;
    this.partitions = partitions;
    this.blockRows = blockRows;
  }

  DType dtype() {
    return config.dtype();
  }

  /** Adds a record, with its ratio to the floor when the floor timed the same operation. */
  void add(String contender, Op op, int threads, Timings t, Double relError, Long cached,
      Double setup, String note) {
    double flops = op.flops(shape);
    Double gflops = flops > 0 ? flops / t.median() / 1e9 : null;
    BenchRecord r = new BenchRecord(shape, dtype().label(), contender, op, threads, t, gflops,
        null, relError, cached, data.rawBytes(), setup, note);
    Double floor = threads == config.mainThreads() ? floorMedian.get(op) : null;
    records.add(floor == null ? r : r.withFloor(floor));
  }

  /** Relative error of gradient sums (dW and db together) against the floor's for {@code op}. */
  double gradientError(Op op, GradientAccumulator acc) {
    GradientAccumulator ref = reference.get(op).gradients();
    return Norms.relativeError(Errors.concat(acc.dw(), acc.db()),
        Errors.concat(ref.dw(), ref.db()));
  }

  /** Bytes of every cached RDD (memory and disk), every block stored so far counted. */
  long cachedBytesNow() {
    long total = 0;
    for (RDDInfo info : CacheLevels.storageInfo(spark.sparkContext())) {
      total += info.memSize() + info.diskSize();
    }
    return total;
  }

  /** W as a float64 row-major array (MLlib's side). */
  double[] wDoubles() {
    return w.toDType(DType.FLOAT64).doubles();
  }
}
