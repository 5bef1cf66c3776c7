package io.sparkgemm.spark.block;

import io.sparkgemm.local.DType;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Copies MLlib vectors from a columnar batch into block rows. Parquet holds a vector (Spark's
 * {@code VectorUDT}) as {@code struct<type: tinyint, size: int, indices: array<int>,
 * values: array<double>>}, which the vectorized reader returns as a struct vector: type 1 is
 * dense (values holds all d values), type 0 sparse (size d, the non-zeros' strictly increasing
 * indices and their values). The row path reads the same vectors through
 * {@code vector_to_array}; the bits and the refusals of what a Spark vector can hold (null,
 * other length, non-finite) are the same. Vectors no Spark vector can be (a sparse index out of
 * range) are refused here with the row id, where the row path's vector constructor fails.
 */
final class VectorFeatures {
  private static final int TYPE = 0;
  private static final int SIZE = 1;
  private static final int INDICES = 2;
  private static final int VALUES = 3;
  private static final byte SPARSE = 0;
  private static final byte DENSE = 1;
  private static final String FEATURES = "features";

  private VectorFeatures() {
  }

  /** Whether the batch column {@code v} holds vectors (the only struct the features can be). */
  static boolean holdsVectors(ColumnVector v) {
    return v.dataType() instanceof StructType;
  }

  /**
   * Starts the builder's next row (id {@code id}) with the features of vector {@code r} of
   * {@code v}, checked as the row path checks them; the caller ends the row.
   */
  static void add(BlockBuilder builder, RowLayout layout, ColumnVector v, int r, long id) {
    String source = layout.source();
    if (isNull(v, r)) {
      throw BlockIterator.nullArray(source, id, FEATURES);
    }
    if (isNull(v.getChild(TYPE), r)) {
      throw malformed(source, id, "a features vector without its type");
    }
    byte type = v.getChild(TYPE).getByte(r);
    if (type != DENSE && type != SPARSE) {
      throw malformed(source, id, "a features vector of type " + type
          + ", expected 0 (sparse) or 1 (dense)");
    }
    ArrayData values = array(v, VALUES, r, source, id, "values");
    if (type == DENSE) {
      dense(builder, layout, values, id);
    } else {
      sparse(builder, layout, v, values, r, id);
    }
  }

  /** The d values in order: copied straight into the block, as an array column's. */
  private static void dense(BlockBuilder builder, RowLayout layout, ArrayData values, long id) {
    int n = values.numElements();
    int base = builder.addSlot(id, n);
    if (layout.dtype() == DType.FLOAT64) {
      double[] x = builder.doubles();
      for (int j = 0; j < n; j++) {
        x[base + j] = values.getDouble(j);
      }
      builder.checkFeatures(base);
      return;
    }
    float[] x = builder.floats();
    boolean check = !layout.allowNonFinite();
    for (int j = 0; j < n; j++) {
      double value = values.getDouble(j);
      if (check && !Double.isFinite(value)) {
        throw BlockBuilder.nonFinite(layout.source(), id, value, FEATURES, j);
      }
      x[base + j] = (float) value;
    }
  }

  /** Zeros, and the non-zeros scattered to their indices (checked before any is written). */
  private static void sparse(BlockBuilder builder, RowLayout layout, ColumnVector v,
      ArrayData values, int r, long id) {
    String source = layout.source();
    if (isNull(v.getChild(SIZE), r)) {
      throw malformed(source, id, "a sparse features vector without its size");
    }
    int size = v.getChild(SIZE).getInt(r);
    ArrayData indices = array(v, INDICES, r, source, id, "indices");
    int m = indices.numElements();
    if (m != values.numElements()) {
      throw malformed(source, id, "a sparse features vector with " + m + " indices but "
          + values.numElements() + " values");
    }
    checkIndices(indices, size, source, id);
    int base = builder.addSlot(id, size);
    if (layout.dtype() == DType.FLOAT64) {
      double[] x = builder.doubles();
      Arrays.fill(x, base, base + size, 0.0);
      for (int i = 0; i < m; i++) {
        x[base + indices.getInt(i)] = values.getDouble(i);
      }
      builder.checkFeatures(base);
      return;
    }
    float[] x = builder.floats();
    Arrays.fill(x, base, base + size, 0f);
    boolean check = !layout.allowNonFinite();
    // indices increase, so the first non-finite value met is the row's first, as on the row path
    for (int i = 0; i < m; i++) {
      int j = indices.getInt(i);
      double value = values.getDouble(i);
      if (check && !Double.isFinite(value)) {
        throw BlockBuilder.nonFinite(source, id, value, FEATURES, j);
      }
      x[base + j] = (float) value;
    }
  }

  /** Refuses indices that are not strictly increasing within 0..size-1, as MLlib does. */
  private static void checkIndices(ArrayData indices, int size, String source, long id) {
    int previous = -1;
    for (int i = 0; i < indices.numElements(); i++) {
      int j = indices.getInt(i);
      if (j < 0 || j >= size) {
        throw malformed(source, id, "a sparse features vector of size " + size
            + " with index " + j + " (indices must be in 0.." + (size - 1) + ")");
      }
      if (j <= previous) {
        throw malformed(source, id, "a sparse features vector with index " + j + " after "
            + previous + " (indices must be strictly increasing)");
      }
      previous = j;
    }
  }

  /** Field {@code field} (an array) of vector {@code r}: refused when it or an element is null. */
  private static ArrayData array(ColumnVector v, int field, int r, String source, long id,
      String name) {
    ColumnVector c = v.getChild(field);
    if (isNull(c, r)) {
      throw malformed(source, id, "a features vector with null " + name);
    }
    ArrayData a = c.getArray(r);
    // Spark's reader flags the vectors that hold nulls: look at the elements only there
    if (!(c instanceof WritableColumnVector w) || w.arrayData().hasNull()) {
      for (int j = 0; j < a.numElements(); j++) {
        if (a.isNullAt(j)) {
          throw malformed(source, id, "a features vector with a null in its " + name
              + " at position " + j);
        }
      }
    }
    return a;
  }

  private static IllegalArgumentException malformed(String source, long id, String what) {
    return new IllegalArgumentException(source + ": row id " + id + " has " + what);
  }

  /** Whether value {@code i} is null; asks only vectors that hold nulls. */
  private static boolean isNull(ColumnVector v, int i) {
    return v.hasNull() && v.isNullAt(i);
  }
}
