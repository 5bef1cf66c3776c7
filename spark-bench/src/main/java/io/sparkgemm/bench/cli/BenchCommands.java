package io.sparkgemm.bench.cli;

import io.sparkgemm.cli.CommandProvider;
import java.util.List;

/**
 * Adds {@code bench-pass}, {@code bench} and {@code bench-train} to {@code spark-gemm} when this
 * module is on the classpath (registered in {@code META-INF/services}).
 */
public final class BenchCommands implements CommandProvider {
  @Override
  public List<Object> commands() {
    return List.of(new BenchPassCommand(), new BenchCommand(), new BenchTrainCommand());
  }
}
