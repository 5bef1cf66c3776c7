package io.sparkgemm.spark.block;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * Stacks a partition's rows into blocks lazily, one block at a time, so Spark can cache (or
 * spill) blocks as they come. Reads Spark's internal rows: arrays are copied out in bulk, never
 * boxed per value. Rows are validated as they are read; errors name the row id.
 */
public final class BlockIterator implements Iterator<LabeledBlock> {
  private final Iterator<InternalRow> rows;
  private final RowLayout layout;
  private final BlockBuilder builder;
  private long nextAssignedId;
  /** With cutById: a row read ahead that starts the next block, and its id. */
  private InternalRow pending;
  private long pendingId;
  private long currentBlock;

  /** @param firstAssignedId the id of this partition's first row when ids are assigned */
  public BlockIterator(Iterator<InternalRow> rows, RowLayout layout, long firstAssignedId) {
    this.rows = rows;
    this.layout = layout;
    this.nextAssignedId = firstAssignedId;
    this.builder = new BlockBuilder(layout.dtype(), layout.numFeatures(), layout.blockRows(),
        layout.labelKind(), layout.labelWidth(), layout.source(), layout.labelSource(),
        layout.allowNonFinite());
  }

  @Override
  public boolean hasNext() {
    return pending != null || rows.hasNext();
  }

  @Override
  public LabeledBlock next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (pending != null) {
      InternalRow row = pending;
      pending = null;
      if (addRow(row, pendingId)) {
        return builder.build();
      }
    }
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      long id = id(row);
      if (layout.cutById() && !builder.isEmpty()
          && Math.floorDiv(id, (long) layout.blockRows()) != currentBlock) {
        // The row belongs to the next block: keep a copy (Spark reuses row objects).
        pending = row.copy();
        pendingId = id;
        break;
      }
      if (addRow(row, id)) {
        break;
      }
    }
    return builder.build();
  }

  private long id(InternalRow row) {
    long id;
    if (layout.idOrdinal() >= 0) {
      if (row.isNullAt(layout.idOrdinal())) {
        throw nullId(layout, nextAssignedId);
      }
      id = row.getLong(layout.idOrdinal());
    } else {
      id = nextAssignedId;
    }
    nextAssignedId = id + 1;
    return id;
  }

  private boolean addRow(InternalRow row, long id) {
    if (builder.isEmpty()) {
      currentBlock = Math.floorDiv(id, (long) layout.blockRows());
    }
    double[] x = values(row, layout.xOrdinal(), id, "features", layout.source());
    builder.add(id, x, 0, x.length);
    switch (layout.labelKind()) {
      case TARGETS: {
        double[] t = values(row, layout.labelOrdinal(), id, "targets", layout.labelSource());
        builder.setTargets(t, 0, t.length);
        break;
      }
      case UPSTREAM: {
        double[] g = values(row, layout.labelOrdinal(), id, "upstream gradient",
            layout.labelSource());
        builder.setUpstream(g, 0, g.length);
        break;
      }
      case CLASSES:
        builder.setClass(classId(row, id));
        break;
      default:
        break;
    }
    return builder.endRow();
  }

  private double[] values(InternalRow row, int ordinal, long id, String what, String source) {
    if (row.isNullAt(ordinal)) {
      throw nullArray(source, id, what);
    }
    ArrayData array = row.getArray(ordinal);
    int n = array.numElements();
    for (int j = 0; j < n; j++) {
      if (array.isNullAt(j)) {
        throw nullValue(source, id, what, j);
      }
    }
    return array.toDoubleArray();
  }

  static IllegalArgumentException nullArray(String source, long id, String what) {
    return new IllegalArgumentException(source + ": row id " + id + " has null " + what);
  }

  static IllegalArgumentException nullValue(String source, long id, String what, int j) {
    return new IllegalArgumentException(source + ": row id " + id + " has a null " + what
        + " value at position " + j);
  }

  private int classId(InternalRow row, long id) {
    if (row.isNullAt(layout.labelOrdinal())) {
      throw nullClass(layout, id);
    }
    return classId(row.getDouble(layout.labelOrdinal()), id, layout);
  }

  static IllegalArgumentException nullClass(RowLayout layout, long id) {
    return new IllegalArgumentException(layout.labelSource() + ": row id " + id + " has a null "
        + "class label");
  }

  /** The class id of a label read as a double, refused unless an integer in range. */
  static int classId(double label, long id, RowLayout layout) {
    if (label != Math.rint(label) || Math.abs(label) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(layout.labelSource() + ": row id " + id
          + " has class label " + label + ", expected a non-negative integer class id");
    }
    if (layout.numClasses() > 0) {
      BlockBuilder.checkClass(layout.labelSource(), (int) label, id, layout.numClasses());
    }
    return (int) label;
  }

  static IllegalArgumentException nullId(RowLayout layout, long nextAssignedId) {
    return new IllegalArgumentException(layout.source() + ": a row has a null id (after row "
        + "id " + (nextAssignedId - 1) + " of this partition)");
  }
}
