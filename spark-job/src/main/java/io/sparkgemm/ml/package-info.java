/**
 * Spark MLlib Pipeline stages (a probabilistic classifier and a regressor, and their models)
 * over a network of layers; no hidden layers is the linear layer. Uses
 * {@code io.sparkgemm.spark} and its subpackages; the Spark packages never import it.
 */
package io.sparkgemm.ml;
