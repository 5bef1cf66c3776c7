package io.sparkgemm.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * A tree reduction of the partitions' results whose every merge happens in partition-index
 * order, so the same input and partitioning give the same bits, however tasks are scheduled,
 * retried or finish. Spark's {@code treeAggregate} has the same shape but merges shuffle inputs
 * and, on the driver, task results in arrival order, which changes float64 sums from run to run.
 *
 * <p>Level by level, partition i's sum goes to group i / scale; a group's sums are merged in index
 * order on an executor; the last level is collected (in partition order) and merged on the
 * driver. The zero value is an empty {@link GradientSum}: buffers are allocated on executors.
 */
final class OrderedTreeReduce {
  private OrderedTreeReduce() {
  }

  static GradientSum reduce(JavaRDD<PartitionResult> partials, int depth) {
    JavaRDD<GradientSum> level = partials.mapPartitions(it -> {
      GradientSum sum = new GradientSum();
      while (it.hasNext()) {
        sum.add(it.next());
      }
      return List.of(sum).iterator();
    });
    int count = level.getNumPartitions();
    int scale = TreeDepth.scale(count, depth);
    while (depth > 1 && count > scale + (count + scale - 1) / scale) {
      int groups = (count + scale - 1) / scale;
      int groupSize = scale;
      JavaPairRDD<Integer, Tuple2<Integer, GradientSum>> keyed = level.mapPartitionsWithIndex(
          (index, it) -> {
            List<Tuple2<Integer, Tuple2<Integer, GradientSum>>> out = new ArrayList<>(1);
            while (it.hasNext()) {
              out.add(new Tuple2<>(index / groupSize, new Tuple2<>(index, it.next())));
            }
            return out.iterator();
          }, true).mapToPair(t -> t);
      // Key g lands in partition g (integer keys below the partition count hash to themselves).
      level = keyed.groupByKey(new HashPartitioner(groups)).mapPartitions(
          OrderedTreeReduce::mergeGroup);
      count = groups;
    }
    GradientSum total = new GradientSum();
    for (GradientSum part : level.collect()) {
      total.merge(part);
    }
    return total;
  }

  /** Merges one group's sums in source-partition order. */
  private static Iterator<GradientSum> mergeGroup(
      Iterator<Tuple2<Integer, Iterable<Tuple2<Integer, GradientSum>>>> groups) {
    GradientSum sum = new GradientSum();
    while (groups.hasNext()) {
      List<Tuple2<Integer, GradientSum>> members = new ArrayList<>();
      groups.next()._2().forEach(members::add);
      members.sort((a, b) -> Integer.compare(a._1(), b._1()));
      for (Tuple2<Integer, GradientSum> m : members) {
        sum.merge(m._2());
      }
    }
    return List.of(sum).iterator();
  }
}
