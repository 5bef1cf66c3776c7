/**
 * Training and solving: the objective over cached blocks, L-BFGS and gradient descent,
 * checkpoints and loss plot, and the normal equations of {@code solve}. Uses every stage
 * ({@code block}, {@code pass}, {@code reduce}, {@code output}); nothing below imports it.
 */
package io.sparkgemm.spark.train;
