package io.sparkgemm.spark.reduce;

import java.io.Serializable;
import java.util.ArrayList;
import org.apache.spark.TaskContext;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction2;

/**
 * The function of {@link GradientSum#collect}'s job: a partition's leaves, each whole (one
 * shard), keyed by leaf index. A plain class, so Spark's closure cleaner does not parse it.
 */
final class LeafSums<T> extends
    AbstractFunction2<TaskContext, Iterator<T>, ArrayList<Tuple2<Integer, GradientSum>>>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private final GradientSum.PartitionPass<T> pass;

  LeafSums(GradientSum.PartitionPass<T> pass) {
    this.pass = pass;
  }

  @Override
  public ArrayList<Tuple2<Integer, GradientSum>> apply(TaskContext context, Iterator<T> blocks) {
    ArrayList<Tuple2<Integer, GradientSum>> out = new ArrayList<>();
    var parts = pass.run(context.partitionId(), CollectionConverters.asJava(blocks));
    while (parts.hasNext()) {
      PartitionResult part = parts.next();
      out.add(new Tuple2<>(part.leaf(), GradientSum.leaf(part)));
    }
    return out;
  }
}
