/**
 * One fused pass over the cached blocks per evaluation or step (Y, loss, dW, db, dX), on the CPU
 * or the device, with its test hooks. Uses {@code block} (its input), {@code reduce} (the
 * gradient's tree reduction) and {@code output} (the blocks it keeps); never {@code input}.
 */
package io.sparkgemm.spark.pass;
