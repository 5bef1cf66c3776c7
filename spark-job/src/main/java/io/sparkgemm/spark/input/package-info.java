/**
 * Reading inputs: formats (Parquet, CSV, .npy), feature and label columns, row-id alignment and
 * joins with labels or the upstream gradient, read errors in the caller's words. Turns rows into
 * cached blocks through {@code block}; uses only {@code block} (and local-gemm).
 */
package io.sparkgemm.spark.input;
