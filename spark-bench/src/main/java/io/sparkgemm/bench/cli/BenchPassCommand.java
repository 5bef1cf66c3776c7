package io.sparkgemm.bench.cli;

import io.sparkgemm.bench.PassBench;
import io.sparkgemm.cli.MasterMixin;
import io.sparkgemm.cli.SparkGemmCli;
import io.sparkgemm.local.DType;
import io.sparkgemm.spark.Sessions;
import io.sparkgemm.spark.input.InputSpec;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spark-gemm bench-pass}: one fused pass on Spark against the single-process floor. */
@Command(name = "bench-pass", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time one fused forward + backward pass (dX included, X cached) on Spark "
        + "against the single-process floor (the same GEMMs on the same blocks, no Spark). Used "
        + "by scripts/bench-pass.sh.")
final class BenchPassCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--rows", defaultValue = "1000000") long rows;
  @Option(names = "--features", defaultValue = "512") int features;
  @Option(names = "--outputs", defaultValue = "256") int outputs;
  @Option(names = "--dtype", defaultValue = DType.DEFAULT_LABEL) String dtype;
  @Option(names = "--block-rows", descriptionKey = "blockRows", defaultValue = InputSpec.BLOCK_ROWS,
      description = "0: about 4 MB of X per block") int blockRows;
  @Option(names = "--partitions", defaultValue = "0", description = "0: 2 per core") int partitions;
  @Option(names = "--repeats", defaultValue = "3") int repeats;
  @Option(names = "--floor-threads", defaultValue = "2") int floorThreads;
  @Mixin
  MasterMixin spark;

  @Override
  public Integer call() {
    DType type = DType.parse(dtype);
    if (rows < 1 || features < 1 || outputs < 1 || repeats < 1 || floorThreads < 1) {
      throw new IllegalArgumentException("--rows, --features, --outputs, --repeats and "
          + "--floor-threads must be >= 1, got " + rows + ", " + features + ", " + outputs + ", "
          + repeats + ", " + floorThreads);
    }
    if (blockRows < 0 || partitions < 0) {
      throw new IllegalArgumentException("--block-rows and --partitions must be >= 0 (0: "
          + "automatic), got " + blockRows + ", " + partitions);
    }
    int rowsPerBlock = blockRows > 0 ? blockRows : InputSpec.defaultBlockRows(features, type);
    try (Sessions.Handle session = Sessions.open(spark.master(), "spark-gemm bench-pass")) {
      int parts = partitions > 0 ? partitions
          : 2 * session.spark().sparkContext().defaultParallelism();
      PassBench.Result r = PassBench.run(session.spark(), rows, features, outputs, type,
          rowsPerBlock, parts, repeats, floorThreads);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "shape %d x %d -> %d %s, %d-row blocks, %d partitions, master %s%n",
          rows, features, outputs, type.label(), rowsPerBlock, parts, spark.master());
      out.printf(Locale.ROOT, "floor (no Spark, %d OpenBLAS threads): %.3f s  %.1f GFLOP/s%n",
          floorThreads, r.floorSeconds(), r.floorGflops());
      out.printf(Locale.ROOT, "floor (no Spark, %d Java threads x 1 OpenBLAS thread): %.3f s  "
          + "%.1f GFLOP/s%n", floorThreads, r.parallelFloorSeconds(), r.parallelFloorGflops());
      out.printf(Locale.ROOT, "spark pass (best of %d):            %.3f s  %.1f GFLOP/s  "
          + "= %.2f of the first floor, %.2f of the second%n", repeats, r.passSeconds(),
          r.passGflops(), r.passGflops() / r.floorGflops(),
          r.passGflops() / r.parallelFloorGflops());
      out.printf(Locale.ROOT, "cached X: %d bytes for %d raw (%.3fx)%n", r.cachedBytes(),
          r.rawBytes(), (double) r.cachedBytes() / r.rawBytes());
      out.println("backend: " + r.backend());
      out.flush();
    }
    return SparkGemmCli.OK;
  }
}
