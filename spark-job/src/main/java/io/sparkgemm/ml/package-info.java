/**
 * Spark MLlib Pipeline stages (estimators and models) over the linear layer. Uses
 * {@code io.sparkgemm.spark} and its subpackages; the Spark packages never import it.
 */
package io.sparkgemm.ml;
