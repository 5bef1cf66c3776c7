package io.sparkgemm.spark.block;

import io.sparkgemm.local.DType;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Stacks a partition's columnar batches (Spark's vectorized Parquet reader) into blocks as
 * {@link BlockIterator} stacks its rows: the same cuts, checks, messages and bits. An array's
 * values are copied from its child vector straight into the block, converted as Spark's cast
 * to {@code array<double>} (then to float for float32 blocks) would: no row, no per-row array.
 * MLlib vectors likewise ({@link VectorFeatures}).
 *
 * <p>The layout's ordinals are the batch's columns: {@code xOrdinal} the features array or
 * vector (or {@code featureColumns}, one numeric column per feature), {@code idOrdinal} an
 * integer id, {@code labelOrdinal} a numeric class id or targets (one number, or an array).
 */
public final class ColumnarBlockIterator implements Iterator<LabeledBlock> {
  private final Iterator<ColumnarBatch> batches;
  private final RowLayout layout;
  private final int[] featureColumns;
  private final BlockBuilder builder;
  private final long blockRows;
  private long nextAssignedId;
  private ColumnarBatch batch;
  /** The batch's row count when it came: the reader resets it when asked for the next. */
  private int batchRows;
  private int row;
  private boolean done;
  /** With cutById: the current row's id was read, and the row starts the next block. */
  private boolean pending;
  private long pendingId;
  private long currentBlock;

  /**
   * @param featureColumns batch ordinals of numeric feature columns, or null when the features
   *     are the array at {@code layout.xOrdinal()}
   * @param firstAssignedId the id of this partition's first row when ids are assigned
   */
  public ColumnarBlockIterator(Iterator<ColumnarBatch> batches, RowLayout layout,
      int[] featureColumns, long firstAssignedId) {
    this.batches = batches;
    this.layout = layout;
    this.featureColumns = featureColumns;
    this.nextAssignedId = firstAssignedId;
    this.blockRows = layout.blockRows();
    this.builder = new BlockBuilder(layout.dtype(), layout.numFeatures(), layout.blockRows(),
        layout.labelKind(), layout.labelWidth(), layout.source(), layout.labelSource(),
        layout.allowNonFinite());
  }

  @Override
  public boolean hasNext() {
    // the reader refills the batch's vectors on its next batch: only move on once read
    while (!done && row == batchRows) {
      if (batches.hasNext()) {
        batch = batches.next();
        batchRows = batch.numRows();
        row = 0;
      } else {
        done = true;
        batch = null;
      }
    }
    return !done;
  }

  @Override
  public LabeledBlock next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    do {
      long id;
      if (pending) {
        pending = false;
        id = pendingId;
      } else {
        id = id(row);
        if (layout.cutById() && !builder.isEmpty()
            && Math.floorDiv(id, blockRows) != currentBlock) {
          pending = true;
          pendingId = id;
          break;
        }
      }
      if (addRow(row++, id)) {
        break;
      }
    } while (hasNext());
    return builder.build();
  }

  private long id(int r) {
    long id;
    if (layout.idOrdinal() >= 0) {
      ColumnVector v = batch.column(layout.idOrdinal());
      if (isNull(v, r)) {
        throw BlockIterator.nullId(layout, nextAssignedId);
      }
      id = integer(v, r);
    } else {
      id = nextAssignedId;
    }
    nextAssignedId = id + 1;
    return id;
  }

  private boolean addRow(int r, long id) {
    if (builder.isEmpty()) {
      currentBlock = Math.floorDiv(id, blockRows);
    }
    if (featureColumns == null) {
      ColumnVector x = batch.column(layout.xOrdinal());
      if (VectorFeatures.holdsVectors(x)) {
        VectorFeatures.add(builder, layout, x, r, id);
      } else {
        arrayFeatures(x, r, id);
      }
    } else {
      columnFeatures(r, id);
    }
    switch (layout.labelKind()) {
      case TARGETS:
        targets(batch.column(layout.labelOrdinal()), r, id);
        break;
      case CLASSES: {
        ColumnVector v = batch.column(layout.labelOrdinal());
        if (isNull(v, r)) {
          throw BlockIterator.nullClass(layout, id);
        }
        builder.setClass(BlockIterator.classId(number(v, r), id, layout));
        break;
      }
      default:
        break;
    }
    return builder.endRow();
  }

  private void arrayFeatures(ColumnVector v, int r, long id) {
    String source = layout.source();
    if (isNull(v, r)) {
      throw BlockIterator.nullArray(source, id, "features");
    }
    if (!(v instanceof WritableColumnVector w)) {
      ArrayData a = v.getArray(r);
      int n = a.numElements();
      DataType t = ((ArrayType) v.dataType()).elementType();
      for (int j = 0; j < n; j++) {
        if (a.isNullAt(j)) {
          throw BlockIterator.nullValue(source, id, "features", j);
        }
      }
      int base = builder.addSlot(id, n);
      for (int j = 0; j < n; j++) {
        put(base, j, element(a, j, t), id);
      }
      checkFloat64(base);
      return;
    }
    ColumnVector child = w.arrayData();
    int off = w.getArrayOffset(r);
    int n = w.getArrayLength(r);
    checkNoNulls(child, off, n, source, id, "features");
    int base = builder.addSlot(id, n);
    DataType t = child.dataType();
    if (layout.dtype() == DType.FLOAT64) {
      double[] x = builder.doubles();
      if (t instanceof DoubleType) {
        for (int j = 0; j < n; j++) {
          x[base + j] = child.getDouble(off + j);
        }
      } else if (t instanceof FloatType) {
        for (int j = 0; j < n; j++) {
          x[base + j] = child.getFloat(off + j);
        }
      } else {
        for (int j = 0; j < n; j++) {
          x[base + j] = number(child, off + j);
        }
      }
      builder.checkFeatures(base);
    } else {
      float[] x = builder.floats();
      boolean check = !layout.allowNonFinite();
      if (t instanceof DoubleType) {
        for (int j = 0; j < n; j++) {
          double value = child.getDouble(off + j);
          if (check && !Double.isFinite(value)) {
            throw BlockBuilder.nonFinite(source, id, value, "features", j);
          }
          x[base + j] = (float) value;
        }
      } else if (t instanceof FloatType) {
        for (int j = 0; j < n; j++) {
          float value = child.getFloat(off + j);
          if (check && !Float.isFinite(value)) {
            throw BlockBuilder.nonFinite(source, id, value, "features", j);
          }
          x[base + j] = value;
        }
      } else {
        for (int j = 0; j < n; j++) {
          x[base + j] = (float) number(child, off + j);
        }
      }
    }
  }

  /** One numeric column per feature: a null is a null element of the row path's array. */
  private void columnFeatures(int r, long id) {
    for (int j = 0; j < featureColumns.length; j++) {
      if (isNull(batch.column(featureColumns[j]), r)) {
        throw BlockIterator.nullValue(layout.source(), id, "features", j);
      }
    }
    int base = builder.addSlot(id, featureColumns.length);
    for (int j = 0; j < featureColumns.length; j++) {
      put(base, j, number(batch.column(featureColumns[j]), r), id);
    }
    checkFloat64(base);
  }

  /** Writes feature j as the block's dtype; float32 values are checked before the cast. */
  private void put(int base, int j, double value, long id) {
    if (layout.dtype() == DType.FLOAT64) {
      builder.doubles()[base + j] = value;
      return;
    }
    if (!layout.allowNonFinite() && !Double.isFinite(value)) {
      throw BlockBuilder.nonFinite(layout.source(), id, value, "features", j);
    }
    builder.floats()[base + j] = (float) value;
  }

  private void checkFloat64(int base) {
    if (layout.dtype() == DType.FLOAT64) {
      builder.checkFeatures(base);
    }
  }

  private void targets(ColumnVector v, int r, long id) {
    String source = layout.labelSource();
    if (!(v.dataType() instanceof ArrayType at)) {
      // a numeric column: targets of width one
      if (isNull(v, r)) {
        throw BlockIterator.nullValue(source, id, "targets", 0);
      }
      int base = builder.targetsSlot(1);
      builder.targetValues()[base] = number(v, r);
      builder.checkTargets(base);
      return;
    }
    if (isNull(v, r)) {
      throw BlockIterator.nullArray(source, id, "targets");
    }
    double[] t;
    int base;
    if (v instanceof WritableColumnVector w) {
      ColumnVector child = w.arrayData();
      int off = w.getArrayOffset(r);
      int n = w.getArrayLength(r);
      checkNoNulls(child, off, n, source, id, "targets");
      base = builder.targetsSlot(n);
      t = builder.targetValues();
      for (int j = 0; j < n; j++) {
        t[base + j] = number(child, off + j);
      }
    } else {
      ArrayData a = v.getArray(r);
      int n = a.numElements();
      for (int j = 0; j < n; j++) {
        if (a.isNullAt(j)) {
          throw BlockIterator.nullValue(source, id, "targets", j);
        }
      }
      base = builder.targetsSlot(n);
      t = builder.targetValues();
      for (int j = 0; j < n; j++) {
        t[base + j] = element(a, j, at.elementType());
      }
    }
    builder.checkTargets(base);
  }

  /**
   * Whether value {@code i} is null; asks only vectors that hold nulls (those of required
   * Parquet columns keep no null flags).
   */
  private static boolean isNull(ColumnVector v, int i) {
    return v.hasNull() && v.isNullAt(i);
  }

  private static void checkNoNulls(ColumnVector child, int off, int n, String source, long id,
      String what) {
    if (child.hasNull()) {
      for (int j = 0; j < n; j++) {
        if (child.isNullAt(off + j)) {
          throw BlockIterator.nullValue(source, id, what, j);
        }
      }
    }
  }

  /** Value {@code i} of an integer or floating-point vector, as Spark casts it to double. */
  static double number(ColumnVector v, int i) {
    DataType t = v.dataType();
    if (t instanceof DoubleType) {
      return v.getDouble(i);
    } else if (t instanceof FloatType) {
      return v.getFloat(i);
    } else if (t instanceof LongType) {
      return v.getLong(i);
    } else if (t instanceof IntegerType) {
      return v.getInt(i);
    } else if (t instanceof ShortType) {
      return v.getShort(i);
    } else if (t instanceof ByteType) {
      return v.getByte(i);
    }
    throw new IllegalStateException("Not a plain number column: " + t.simpleString());
  }

  /** Value {@code i} of an integer vector as a long. */
  static long integer(ColumnVector v, int i) {
    DataType t = v.dataType();
    if (t instanceof LongType) {
      return v.getLong(i);
    } else if (t instanceof IntegerType) {
      return v.getInt(i);
    } else if (t instanceof ShortType) {
      return v.getShort(i);
    } else if (t instanceof ByteType) {
      return v.getByte(i);
    }
    throw new IllegalStateException("Not an integer column: " + t.simpleString());
  }

  private static double element(ArrayData a, int j, DataType t) {
    if (t instanceof DoubleType) {
      return a.getDouble(j);
    } else if (t instanceof FloatType) {
      return a.getFloat(j);
    } else if (t instanceof LongType) {
      return a.getLong(j);
    } else if (t instanceof IntegerType) {
      return a.getInt(j);
    } else if (t instanceof ShortType) {
      return a.getShort(j);
    } else if (t instanceof ByteType) {
      return a.getByte(j);
    }
    throw new IllegalStateException("Not a plain number array: " + t.simpleString());
  }
}
