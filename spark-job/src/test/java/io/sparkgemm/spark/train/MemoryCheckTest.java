package io.sparkgemm.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.loss.Loss;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The memory estimate against the budgets of local and cluster masters, without Spark. */
class MemoryCheckTest {
  private static final long GIB = 1L << 30;

  private static TrainSpec network(int... hidden) {
    return TrainSpec.builder(Loss.SOFTMAX_CE).hiddenSizes(hidden).build();
  }

  @Test
  void theMasterSaysHowManyTasksShareWhichMemory() {
    SparkConf conf = new SparkConf(false);
    assertThat(MemoryCheck.Budget.of("local", conf, 2 * GIB, 8))
        .isEqualTo(new MemoryCheck.Budget(2 * GIB, true, 2 * GIB, 1));
    assertThat(MemoryCheck.Budget.of("local[*]", conf, 2 * GIB, 8).slots()).isEqualTo(8);
    assertThat(MemoryCheck.Budget.of("local[3, 2]", conf, 2 * GIB, 8).slots()).isEqualTo(3);
    assertThat(MemoryCheck.Budget.of("local-cluster[2,4,512]", conf, 2 * GIB, 8))
        .isEqualTo(new MemoryCheck.Budget(2 * GIB, false, 512L << 20, 4));
    assertThat(MemoryCheck.Budget.of("spark://host:7077", conf, 2 * GIB, 8))
        .isEqualTo(new MemoryCheck.Budget(2 * GIB, false, GIB, 1));
    conf.set("spark.executor.memory", "6g").set("spark.executor.cores", "8")
        .set("spark.task.cpus", "2");
    assertThat(MemoryCheck.Budget.of("yarn", conf, 2 * GIB, 8))
        .isEqualTo(new MemoryCheck.Budget(2 * GIB, false, 6 * GIB, 4));
  }

  @Test
  void parametersAreCountedWithoutOverflow() {
    assertThat(MemoryCheck.parameters(new int[] {784, 100000, 10})).isEqualTo(79_500_010L);
    assertThat(MemoryCheck.parameters(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE,
        Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE})).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aModelThatFitsPasses() {
    MemoryCheck.Budget local = new MemoryCheck.Budget(2 * GIB, true, 2 * GIB, 2);
    MemoryCheck.Data data = new MemoryCheck.Data(60000, 0, 668);
    assertThatCode(() -> MemoryCheck.require(network(1000), 784, 10, data, local))
        .doesNotThrowAnyException();
    assertThatCode(() -> MemoryCheck.require(network(), 784, 10, data, local))
        .doesNotThrowAnyException();
  }

  @Test
  void eachSideOfAClusterIsCheckedAgainstItsOwnMemory() {
    MemoryCheck.Data data = new MemoryCheck.Data(0, 0, 8192);
    MemoryCheck.Budget executors = new MemoryCheck.Budget(64 * GIB, false, GIB, 4);
    assertThatThrownBy(() -> MemoryCheck.require(network(20000), 784, 10, data, executors))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hiddenSizes 20000 makes the network 784-20000(relu)-10 of 15,900,010 "
            + "parameters: an executor needs 5.7 GB (θ in float64, and 4 tasks at once: their "
            + "float64 gradient sums and the activations of 32,768 rows), but "
            + "spark.executor.memory is 1.0 GB: give hiddenSizes smaller widths or blockRows "
            + "fewer rows, or the executors more memory");
    MemoryCheck.Budget driver = new MemoryCheck.Budget(GIB, false, 64 * GIB, 4);
    assertThatThrownBy(() -> MemoryCheck.require(network(20000), 784, 10, data, driver))
        .hasMessageContaining("lbfgs's 10 correction pairs plus 2 vectors (float64) need "
            + "3.0 GB on the driver, but the driver has 1.0 GB");
  }

  @Test
  void aMinibatchHoldsTheActivationsOfOneStepAtMost() {
    TrainSpec sgd = TrainSpec.builder(Loss.SOFTMAX_CE).optimizer(Optimizer.SGD).batchRows(64)
        .hiddenSizes(20000).build();
    MemoryCheck.Budget local = new MemoryCheck.Budget(GIB / 4, true, GIB / 4, 2);
    assertThatThrownBy(() -> MemoryCheck.require(sgd, 784, 10, new MemoryCheck.Data(0, 0, 8192),
        local)).hasMessageContaining("2 tasks at once: their float64 gradient sums and the "
            + "activations of 64 rows");
  }
}
