/**
 * The {@code spark-gemm} command line: one class per command, parsing and printing only; the
 * work is in {@code io.sparkgemm.spark} and its subpackages, which never import the CLI.
 */
package io.sparkgemm.cli;
