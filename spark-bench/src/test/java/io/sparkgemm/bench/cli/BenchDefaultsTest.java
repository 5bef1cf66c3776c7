package io.sparkgemm.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.spark.input.InputSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bench with no options is the quick run; --full is everything; given options win either way. */
class BenchDefaultsTest {

  private static BenchCommand parsed(String... args) {
    BenchCommand command = new BenchCommand();
    new CommandLine(command).parseArgs(args);
    command.resolveDefaults();
    return command;
  }

  @Test
  void noOptionsIsTheQuickRun() {
    BenchCommand quick = parsed("--out", "o");
    assertThat(quick.shapes).isEqualTo("200000x256x128");
    assertThat(quick.contenders).isEqualTo("floor,spark-gemm");
    assertThat(quick.pipe).isEqualTo("fixed-cost");
  }

  @Test
  void fullIsEverythingUnlessAPartIsGiven() {
    BenchCommand full = parsed("--full", "--out", "o");
    assertThat(full.shapes.split(",")).hasSize(4);
    assertThat(full.contenders.split(",")).containsExactly("floor", "spark-gemm",
        "mllib-rowmatrix", "mllib-blockmatrix", "mllib-lr");
    assertThat(full.pipe).isEqualTo("fixed-cost,ingest,train,network");
    BenchCommand part = parsed("--full", "--pipe", "ingest", "--shapes", "none", "--out", "o");
    assertThat(part.pipe).isEqualTo("ingest");
    assertThat(part.shapes).isEqualTo("none");
  }

  /** What bench blocks and computes in by default is the input spec's own default. */
  @Test
  void blockRowsAndDtypeAreTheInputSpecsDefaults() {
    BenchCommand quick = parsed("--out", "o");
    InputSpec input = InputSpec.builder("x").build();
    assertThat(quick.blockRows).isEqualTo(input.blockRows());
    assertThat(DType.parse(quick.dtype)).isEqualTo(input.dtype());
  }
}
