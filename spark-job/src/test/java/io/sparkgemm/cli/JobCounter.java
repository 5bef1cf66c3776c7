package io.sparkgemm.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import scala.jdk.javaapi.CollectionConverters;

/** Counts the Spark jobs started while it is open: "refused before any Spark job" checks. */
final class JobCounter extends SparkListener implements AutoCloseable {
  private final SparkContext context;
  private final AtomicInteger jobs = new AtomicInteger();
  private final List<String> descriptions = new CopyOnWriteArrayList<>();
  private final List<String> callSites = new CopyOnWriteArrayList<>();

  JobCounter(SparkSession spark) {
    context = spark.sparkContext();
    context.addSparkListener(this);
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    jobs.incrementAndGet();
    descriptions.add(String.valueOf(event.properties() == null ? null
        : event.properties().getProperty("spark.job.description")));
    for (StageInfo stage : CollectionConverters.asJava(event.stageInfos())) {
      for (RDDInfo rdd : CollectionConverters.asJava(stage.rddInfos())) {
        callSites.add(rdd.callSite());
      }
    }
  }

  /**
   * Where the RDDs of the jobs started so far were made, as Spark names it
   * ("mapPartitionsWithIndex at ColumnarInput.java:99"): which code path read the input.
   */
  List<String> callSites() {
    jobs();
    return List.copyOf(callSites);
  }

  /** The descriptions of the jobs started so far ("null" for a job without one). */
  List<String> descriptions() {
    jobs();
    return List.copyOf(descriptions);
  }

  /** The jobs started so far, once the listener bus has delivered every event. */
  int jobs() {
    try {
      context.listenerBus().waitUntilEmpty();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return jobs.get();
  }

  @Override
  public void close() {
    context.removeSparkListener(this);
  }
}
