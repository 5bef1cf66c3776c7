package io.sparkgemm.spark.block;

import io.sparkgemm.local.DType;
import java.io.Serializable;

/**
 * Column ordinals of a normalised input row ({@code __x array<double>}, optional {@code __id
 * long}, optional {@code __t array<double>}, {@code __c double} or {@code __g array<double>}) and
 * the block settings, shipped to executors with the blockify closure.
 *
 * @param idOrdinal ordinal of __id, or -1 when ids are assigned in input order
 * @param labelOrdinal ordinal of the label column, or -1
 * @param allowNonFinite let NaN and ±Inf through
 * @param cutById end a block where the row id crosses a multiple of blockRows (--deterministic)
 * @param labelSource where the labels or G come from (file, column), for messages
 * @param numClasses with class labels, k (ids must be in 0..k-1), or 0 when not checked here
 */
public record RowLayout(int xOrdinal, int idOrdinal, int labelOrdinal, LabelKind labelKind,
    int numFeatures, int labelWidth, DType dtype, int blockRows, String source,
    boolean allowNonFinite, boolean cutById, String labelSource, int numClasses)
    implements Serializable {

  /** Labels from X's own dataset, class ids not checked against k. */
  public RowLayout(int xOrdinal, int idOrdinal, int labelOrdinal, LabelKind labelKind,
      int numFeatures, int labelWidth, DType dtype, int blockRows, String source,
      boolean allowNonFinite, boolean cutById) {
    this(xOrdinal, idOrdinal, labelOrdinal, labelKind, numFeatures, labelWidth, dtype, blockRows,
        source, allowNonFinite, cutById, source, 0);
  }
}
