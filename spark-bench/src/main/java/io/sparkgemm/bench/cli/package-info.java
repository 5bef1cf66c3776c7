/**
 * The benchmark's commands ({@code bench-pass}, {@code bench}, {@code bench-train}), added to
 * {@code spark-gemm} through {@link io.sparkgemm.cli.CommandProvider}. Uses the benchmark and the
 * product's public API.
 */
package io.sparkgemm.bench.cli;
