package io.sparkgemm.spark.job;

import static io.sparkgemm.spark.pass.NaiveNetwork.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabeledBlock;
import io.sparkgemm.spark.pass.NaiveNetwork;
import io.sparkgemm.spark.pass.TaskParams;
import io.sparkgemm.spark.train.InputScaling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockStatus;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Evaluation ({@link NetworkEvaluation}) and the columns' moments of --standardize
 * ({@link InputScaling}) reduce their partitions' float64 sums in partition order: the loop
 * oracle's numbers for any partitioning, and the same bits when the tasks finish in another
 * order. The evaluation's broadcast of a large θ is gone once it returns.
 */
class EvaluationReductionTest {
  static final int N = 211;
  static final int D = 5;
  static final int K = 3;
  static final int BLOCK_ROWS = 8;
  static final int PARTITIONS = 6;
  /** The local property that makes partitions finish first to last, or last to first. */
  static final String ORDER = "spark.gemm.test.finishOrder";

  static SparkSession spark;
  static JavaSparkContext jsc;
  static double[][] x;
  static int[] classes;
  static CollectionAccumulator<Integer> finished;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("EvaluationReductionTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    finished = spark.sparkContext().collectionAccumulator("finished partitions");
    Random random = new Random(17);
    x = new double[N][D];
    classes = new int[N];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < D; c++) {
        // pixel-like columns far from zero mean and unit scale, as --standardize expects
        x[r][c] = 40 * c + 25 * random.nextGaussian();
      }
      classes[r] = random.nextInt(K);
    }
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @Test
  void evaluationIsTheOraclesAndTheSameBitsWhicheverTaskFinishesFirst() {
    Network network = new Network(new int[] {D, 7, K}, List.of(Activation.TANH));
    double[] theta = new Random(3).doubles(network.numParameters(), -0.05, 0.05).toArray();
    NaiveNetwork oracle = new NaiveNetwork(network.sizes(), network.activations());
    double loss = oracle.gradient(theta, x, null, classes,
        IntStream.range(0, N).toArray()).loss();
    long correct = IntStream.range(0, N)
        .filter(r -> NaiveNetwork.argmax(oracle.output(theta, x[r])) == classes[r]).count();
    for (int partitions : new int[] {1, 4, PARTITIONS}) {
      NetworkEvaluation.Result result = evaluate(partitions, network, theta);
      assertThat(result.rows()).isEqualTo(N);
      assertThat(result.loss()).as("%d partitions", partitions).isCloseTo(loss, offset(1e-12));
      assertThat(result.correct()).as("%d partitions", partitions).isEqualTo(correct);
    }

    List<List<Integer>> orders = new ArrayList<>();
    List<NetworkEvaluation.Result> results = new ArrayList<>();
    for (String order : List.of("first-to-last", "last-to-first")) {
      results.add(inOrder(order, orders, () -> evaluate(PARTITIONS, network, theta)));
    }
    assertThat(orders.get(0)).as("the order tasks finished in").isNotEqualTo(orders.get(1));
    assertThat(Double.doubleToRawLongBits(results.get(1).loss()))
        .as("loss %s then %s", results.get(0).loss(), results.get(1).loss())
        .isEqualTo(Double.doubleToRawLongBits(results.get(0).loss()));
    assertThat(results.get(1).correct()).isEqualTo(results.get(0).correct());
  }

  @Test
  void scalingIsTheOraclesAndTheSameBitsWhicheverTaskFinishesFirst() {
    double[] mean = new double[D];
    double[] sd = new double[D];
    for (int c = 0; c < D; c++) {
      for (double[] row : x) {
        mean[c] += row[c] / N;
      }
      for (double[] row : x) {
        sd[c] += (row[c] - mean[c]) * (row[c] - mean[c]) / N;
      }
      sd[c] = Math.sqrt(sd[c]);
    }
    for (int partitions : new int[] {1, 4, PARTITIONS}) {
      InputScaling scaling = InputScaling.measure(spark, input(partitions));
      assertClose(scaling.mean(), mean, 1e-12, partitions + " partitions: column means");
      assertClose(scaling.scale(), sd, 1e-12, partitions + " partitions: column deviations");
    }

    List<List<Integer>> orders = new ArrayList<>();
    List<InputScaling> results = new ArrayList<>();
    for (String order : List.of("first-to-last", "last-to-first")) {
      results.add(inOrder(order, orders, () -> InputScaling.measure(spark, input(PARTITIONS))));
    }
    assertThat(orders.get(0)).as("the order tasks finished in").isNotEqualTo(orders.get(1));
    assertThat(bits(results.get(1).mean())).isEqualTo(bits(results.get(0).mean()));
    assertThat(bits(results.get(1).scale())).isEqualTo(bits(results.get(0).scale()));
  }

  /**
   * A θ too large to travel in the tasks is broadcast; once the evaluation returns, its blocks
   * are gone from the driver (destroyed and waited for), not left to a removal still under way
   * or to the ContextCleaner.
   */
  @Test
  void evaluationLeavesNoBroadcastBehind() {
    Network network = new Network(new int[] {D, 8000, K}, List.of(Activation.RELU));
    assertThat(TaskParams.ships(network, DType.FLOAT64)).as("θ travels in the tasks").isFalse();
    double[] theta = new Random(4).doubles(network.numParameters(), -0.01, 0.01).toArray();
    long thetaBytes = 8L * network.numParameters();
    Set<Long> before = new HashSet<>(broadcastBytes().keySet());
    for (int run = 0; run < 3; run++) {
      evaluate(PARTITIONS, network, theta);
      Map<Long, Long> left = broadcastBytes();
      left.keySet().removeAll(before);
      // Spark's own broadcasts (each stage's task binary, tens of KB) live until collected.
      assertThat(left).as("bytes of the broadcasts the evaluation left on the driver")
          .allSatisfy((id, bytes) -> assertThat(bytes).isLessThan(thetaBytes / 4));
    }
  }

  private static NetworkEvaluation.Result evaluate(int partitions, Network network,
      double[] theta) {
    return NetworkEvaluation.run(spark, input(partitions), Theta.of(network, theta),
        Loss.SOFTMAX_CE,
        DType.FLOAT64, BackendOptions.named("native"));
  }

  /** {@code job}'s result with the partitions finishing in {@code order}, recorded in orders. */
  private static <T> T inOrder(String order, List<List<Integer>> orders, Supplier<T> job) {
    finished.reset();
    jsc.setLocalProperty(ORDER, order);
    try {
      T result = job.get();
      orders.add(new ArrayList<>(finished.value()));
      return result;
    } finally {
      jsc.setLocalProperty(ORDER, null);
    }
  }

  /**
   * The rows in blocks of 8 over {@code partitions} partitions, made afresh by every job (not
   * cached) so that {@link #ORDER} can delay them: first-to-last delays partition p by 60·p ms,
   * last-to-first by 60·(partitions − 1 − p) ms. Partitions add their index to
   * {@link #finished} as they end.
   */
  private static BlockedInput input(int partitions) {
    int numBlocks = (N + BLOCK_ROWS - 1) / BLOCK_ROWS;
    double[][] rows = x;
    int[] labels = classes;
    CollectionAccumulator<Integer> done = finished;
    JavaRDD<LabeledBlock> blocks = jsc.parallelize(IntStream.range(0, numBlocks).boxed()
        .toList(), partitions).mapPartitionsWithIndex((p, indices) -> {
          String order = TaskContext.get().getLocalProperty(ORDER);
          if (order != null) {
            Thread.sleep(60L * (order.equals("first-to-last") ? p : partitions - 1 - p));
          }
          List<LabeledBlock> out = new ArrayList<>();
          indices.forEachRemaining(index -> out.add(block(rows, labels, index)));
          done.add(p);
          return out.iterator();
        }, true);
    return BlockedInput.builder(blocks).shape(N, D).labelWidth(1)
        .blocking(BLOCK_ROWS, numBlocks).build();
  }

  private static LabeledBlock block(double[][] rows, int[] labels, int index) {
    int from = index * BLOCK_ROWS;
    int count = Math.min(BLOCK_ROWS, N - from);
    DenseBlock block = DenseBlock.zeros(DType.FLOAT64, count, D);
    long[] ids = new long[count];
    for (int r = 0; r < count; r++) {
      ids[r] = from + r;
      System.arraycopy(rows[from + r], 0, block.doubles(), r * D, D);
    }
    return new LabeledBlock(block.withRowIds(ids), null,
        Arrays.copyOfRange(labels, from, from + count), null);
  }

  /** Bytes on the driver of each broadcast (its value and its pieces), by broadcast id. */
  private static Map<Long, Long> broadcastBytes() {
    BlockManager manager = SparkEnv.get().blockManager();
    List<BlockId> ids = CollectionConverters.asJava(manager.getMatchingBlockIds(
        block -> block instanceof BroadcastBlockId));
    Map<Long, Long> bytes = new HashMap<>();
    for (BlockId id : ids) {
      Option<BlockStatus> status = manager.getStatus(id);
      long size = status.isDefined() ? status.get().memSize() + status.get().diskSize() : 0;
      bytes.merge(((BroadcastBlockId) id).broadcastId(), size, Long::sum);
    }
    return bytes;
  }

  private static long[] bits(double[] values) {
    return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
  }
}
