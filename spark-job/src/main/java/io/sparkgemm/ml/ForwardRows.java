package io.sparkgemm.ml;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's rows in, the same rows with the output columns appended out: up to
 * {@code blockRows} rows are stacked into one dense block X (n x d) and run forward together.
 */
final class ForwardRows implements Iterator<Row> {
  private final Iterator<Row> rows;
  private final int featuresIndex;
  private final int blockRows;
  private final int d;
  private final String shape;
  private final UnaryOperator<DenseBlock> forward;
  private final TrainedNetwork.Outputs outputs;
  private final List<Row> pending = new ArrayList<>();
  private int next;

  /**
   * @param d the features a row must have
   * @param shape what the model is, e.g. "the model's W is (4, 3)", for the error about a row
   *     of another width
   */
  ForwardRows(Iterator<Row> rows, int featuresIndex, int blockRows, int d, String shape,
      TrainedNetwork.BlockForward forward, BackendOptions options, TrainedNetwork.Outputs outputs) {
    this.rows = rows;
    this.featuresIndex = featuresIndex;
    this.blockRows = blockRows;
    this.d = d;
    this.shape = shape;
    this.forward = forward.open(Backends.select(options));
    this.outputs = outputs;
  }

  @Override
  public boolean hasNext() {
    if (next < pending.size()) {
      return true;
    }
    pending.clear();
    next = 0;
    if (!rows.hasNext()) {
      return false;
    }
    List<Row> in = new ArrayList<>();
    while (rows.hasNext() && in.size() < blockRows) {
      in.add(rows.next());
    }
    double[] x = new double[in.size() * d];
    for (int r = 0; r < in.size(); r++) {
      double[] features = features(in.get(r));
      if (features.length != d) {
        throw new IllegalArgumentException("A row has " + features.length + " features but "
            + shape + " (d = " + d + ")");
      }
      System.arraycopy(features, 0, x, r * d, d);
    }
    // x: rows x d   y: rows x k
    DenseBlock y = forward.apply(DenseBlock.ofDoubles(in.size(), d, x));
    int k = y.numCols();
    double[] yv = y.toDType(DType.FLOAT64).doubles();
    for (int r = 0; r < in.size(); r++) {
      Row row = in.get(r);
      double[] yr = new double[k];
      System.arraycopy(yv, r * k, yr, 0, k);
      Object[] extra = outputs.apply(yr);
      Object[] values = new Object[row.length() + extra.length];
      for (int i = 0; i < row.length(); i++) {
        values[i] = row.get(i);
      }
      System.arraycopy(extra, 0, values, row.length(), extra.length);
      pending.add(RowFactory.create(values));
    }
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.get(next++);
  }

  private double[] features(Row row) {
    Object v = row.get(featuresIndex);
    if (v == null) {
      throw new IllegalArgumentException("A row has null features (expected " + d
          + " numbers)");
    }
    if (v instanceof Vector vector) {
      return vector.toArray();
    }
    List<Object> list = row.getList(featuresIndex);
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).doubleValue();
    }
    return out;
  }
}
