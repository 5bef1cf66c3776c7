/**
 * The forward and backward jobs: input already blocked, one pass, outputs and report committed.
 * Uses {@code block}, {@code pass} and {@code output}; only the CLI calls it.
 */
package io.sparkgemm.spark.job;
