/**
 * The benchmark: spark-gemm against the single-process floor and MLlib on the same seeded data,
 * and the pass timing of {@code bench-pass}. A module of its own: it uses the product
 * (local-gemm, {@code io.sparkgemm.spark} and its subpackages) through their public API, and the
 * product never imports it.
 */
package io.sparkgemm.bench;
