/**
 * Training and solving: the objective over cached blocks (the linear model or a network),
 * full-batch L-BFGS and gradient descent, minibatch sgd and adam with their learning-rate
 * schedules, checkpoints that resume bit for bit, the model folder ({@code ModelDir}), the loss
 * plot, and the normal equations of {@code solve}. Uses every stage ({@code block},
 * {@code pass}, {@code reduce}, {@code output}); nothing below imports it.
 */
package io.sparkgemm.spark.train;
