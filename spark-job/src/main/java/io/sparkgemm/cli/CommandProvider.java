package io.sparkgemm.cli;

import java.util.List;

/**
 * Adds commands to {@code spark-gemm} from outside the product (the benchmark module). The CLI
 * finds providers with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry naming
 * the implementation) on its classpath, and never imports them.
 */
public interface CommandProvider {
  /**
   * New instances of the commands to add: objects annotated with picocli's {@code @Command}
   * (with a name), run like the built-in ones.
   */
  List<Object> commands();
}
