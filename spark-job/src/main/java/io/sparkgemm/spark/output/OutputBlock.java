package io.sparkgemm.spark.output;

import io.sparkgemm.local.DenseBlock;
import java.io.Serializable;

/** A row-shaped result block (Y or dX) with its row ids, named by what it holds. */
public record OutputBlock(String name, DenseBlock values) implements Serializable {
}
