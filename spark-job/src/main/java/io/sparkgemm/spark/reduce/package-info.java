/**
 * The ordered tree reduction, generic over a {@link io.sparkgemm.spark.reduce.Mergeable} buffer,
 * and its use for per-partition gradient sums: the plan (depth, column shards), the tree itself
 * and what one partition hands to it. Uses {@code block} (size formatting) and
 * {@code output} (the row blocks a partition carries); never {@code pass}.
 */
package io.sparkgemm.spark.reduce;
