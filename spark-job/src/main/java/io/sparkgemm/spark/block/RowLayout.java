package io.sparkgemm.spark.block;

import io.sparkgemm.local.DType;
import java.io.Serializable;

/**
 * Column ordinals of a normalised input row ({@code __x array<double>}, an optional
 * {@code __id long}, and an optional {@code __label}: {@code array<double>} targets or G, or a
 * {@code double} class id) and the block settings, shipped to executors with the blockify
 * closure.
 *
 * @param idOrdinal ordinal of __id, or -1 when ids are assigned in input order
 * @param labelOrdinal ordinal of the label column, or -1
 * @param allowNonFinite let NaN and ±Inf through
 * @param cutById end a block where the row id crosses a multiple of blockRows (deterministic
 *     mode)
 * @param labelSource where the labels or G come from (file, column), for messages
 * @param numClasses with class labels, k (ids must be in 0..k-1), or 0 when not checked here
 */
public record RowLayout(int xOrdinal, int idOrdinal, int labelOrdinal, LabelKind labelKind,
    int numFeatures, int labelWidth, DType dtype, int blockRows, String source,
    boolean allowNonFinite, boolean cutById, String labelSource, int numClasses)
    implements Serializable {

  /** A builder: every value named; labels default to none, their source to {@code source}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Names each value of a {@link RowLayout}. */
  public static final class Builder {
    private int xOrdinal;
    private int idOrdinal = -1;
    private int labelOrdinal = -1;
    private LabelKind labelKind = LabelKind.NONE;
    private int numFeatures;
    private int labelWidth;
    private DType dtype = DType.FLOAT64;
    private int blockRows;
    private String source;
    private boolean allowNonFinite;
    private boolean cutById;
    private String labelSource;
    private int numClasses;

    private Builder() {
    }

    public Builder xOrdinal(int ordinal) {
      this.xOrdinal = ordinal;
      return this;
    }

    /** Ordinal of __id, or -1 (the default) when ids are assigned in input order. */
    public Builder idOrdinal(int ordinal) {
      this.idOrdinal = ordinal;
      return this;
    }

    /** The label column's ordinal, what it holds and how wide it is. */
    public Builder labels(int ordinal, LabelKind kind, int width) {
      this.labelOrdinal = ordinal;
      this.labelKind = kind;
      this.labelWidth = width;
      return this;
    }

    /** Where the labels or G come from, for messages (default: {@code source}). */
    public Builder labelSource(String labelSource) {
      this.labelSource = labelSource;
      return this;
    }

    /** With class labels, k (ids must be in 0..k-1); 0 (the default) checks nothing here. */
    public Builder numClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /** d, the length of every __x. */
    public Builder numFeatures(int numFeatures) {
      this.numFeatures = numFeatures;
      return this;
    }

    /** The blocks' dtype and rows per block. */
    public Builder blocks(DType dtype, int blockRows) {
      this.dtype = dtype;
      this.blockRows = blockRows;
      return this;
    }

    /** X's file or dataset, for messages. */
    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder allowNonFinite(boolean allowNonFinite) {
      this.allowNonFinite = allowNonFinite;
      return this;
    }

    /** End a block where the row id crosses a multiple of blockRows (--deterministic). */
    public Builder cutById(boolean cutById) {
      this.cutById = cutById;
      return this;
    }

    public RowLayout build() {
      return new RowLayout(xOrdinal, idOrdinal, labelOrdinal, labelKind, numFeatures, labelWidth,
          dtype, blockRows, source, allowNonFinite, cutById,
          labelSource != null ? labelSource : source, numClasses);
    }
  }
}
