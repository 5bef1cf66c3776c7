package io.sparkgemm.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Records every Spark job's start and end time (the scheduler's clock, milliseconds) and its
 * stages' names, which carry the call site (e.g. {@code treeAggregate at RDDLossFunction.scala}):
 * how the time of one of MLlib's loss-and-gradient jobs is measured inside a fit.
 */
final class JobTimer extends SparkListener {
  /** One finished job. */
  record Job(int id, long startMillis, long endMillis, List<String> stageNames) {
    double seconds() {
      return (endMillis - startMillis) / 1e3;
    }

    boolean ranIn(String callSite) {
      return stageNames.stream().anyMatch(name -> name.contains(callSite));
    }
  }

  private final Map<Integer, Job> started = new ConcurrentHashMap<>();
  private final Map<Integer, Job> finished = new ConcurrentHashMap<>();

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    List<String> names = new ArrayList<>();
    for (StageInfo stage : CollectionConverters.asJava(start.stageInfos())) {
      names.add(stage.name());
    }
    started.put(start.jobId(), new Job(start.jobId(), start.time(), -1, names));
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    Job job = started.get(end.jobId());
    if (job != null) {
      finished.put(end.jobId(), new Job(job.id(), job.startMillis(), end.time(),
          job.stageNames()));
    }
  }

  /** Waits until the listener bus has delivered every event posted so far. */
  static void drain(SparkContext sc) {
    try {
      sc.listenerBus().waitUntilEmpty(60_000L);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain in 60 s", e);
    }
  }

  /** Jobs that finished, in start order, started at or after {@code sinceMillis}. */
  List<Job> jobsSince(long sinceMillis) {
    return finished.values().stream().filter(j -> j.startMillis() >= sinceMillis)
        .sorted(Comparator.comparingLong(Job::startMillis).thenComparingInt(Job::id)).toList();
  }
}
