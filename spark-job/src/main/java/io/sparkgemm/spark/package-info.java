/**
 * The Spark side of spark-gemm, one package per role: {@code input} -> {@code block} ->
 * {@code pass} -> {@code reduce} -> {@code output}, plus {@code data}, {@code job} and
 * {@code train}. This package holds only {@link io.sparkgemm.spark.Sessions} (the session every
 * command and test shares) and imports none of its subpackages.
 */
package io.sparkgemm.spark;
