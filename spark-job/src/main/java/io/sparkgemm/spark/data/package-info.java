/**
 * Seeded data generation ({@code spark-gemm generate}). Writes through {@code output}; uses no
 * other Spark package.
 */
package io.sparkgemm.spark.data;
