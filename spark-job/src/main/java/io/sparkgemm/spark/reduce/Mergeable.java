package io.sparkgemm.spark.reduce;

import java.io.Serializable;

/**
 * A buffer of the ordered tree reduction ({@link OrderedTreeReduce}): sums that another buffer of
 * the same kind can be added into. The only mutable thing of a reduction, as an MLlib
 * aggregator is.
 *
 * @param <B> the buffer's own type
 */
public interface Mergeable<B extends Mergeable<B>> extends Serializable {

  /** Adds {@code other}'s sums into this buffer ({@code other} is not modified). Returns this. */
  B merge(B other);

  /** Bytes of the sums: what the driver receives when it collects this buffer. */
  long sizeBytes();
}
