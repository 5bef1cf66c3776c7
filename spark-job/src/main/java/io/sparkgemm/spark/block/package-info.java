/**
 * Rows to cached {@code DenseBlock}s: the row layout and label kind, block building and checking,
 * the deterministic (row-id) blocking, storage levels. The bottom of the Spark packages: it uses
 * no other {@code io.sparkgemm.spark} package.
 */
package io.sparkgemm.spark.block;
