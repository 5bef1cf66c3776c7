/**
 * The {@code spark-gemm} command line: one class per command, parsing and printing only; the
 * work is in {@code io.sparkgemm.spark} and its subpackages, which never import the CLI. Commands
 * from other modules (the benchmark's) come from {@link io.sparkgemm.cli.CommandProvider}s found
 * with {@link java.util.ServiceLoader}; the CLI never imports them.
 */
package io.sparkgemm.cli;
