package io.sparkgemm.spark.output;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.block.BlockedInput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a pass's row-shaped outputs (Y, dX): as {@code NAME.npy} (rows in row-id order) when X
 * came from a .npy file, else as a Parquet folder {@code NAME} with columns {@code id} and
 * {@code values} (an array in the pass's dtype).
 */
public final class RowOutputs {
  private RowOutputs() {
  }

  /**
   * Writes output {@code name}, the row blocks {@code blocks} of {@code dtype}, into the staging
   * folder; returns the file or folder name.
   */
  public static String write(SparkSession spark, JavaRDD<DenseBlock> blocks, DType dtype,
      BlockedInput input, OutputDir out, String name, int numCols) {
    spark.sparkContext().setJobDescription("spark-gemm: write " + name);
    if (input.npy()) {
      String file = name + ".npy";
      writeNpy(blocks.collect(), input.numRows(), numCols, dtype, out, file);
      return file;
    }
    boolean f64 = dtype == DType.FLOAT64;
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("values", DataTypes.createArrayType(f64 ? DataTypes.DoubleType
            : DataTypes.FloatType, false), false);
    JavaRDD<Row> rows = blocks.flatMap(RowOutputs::rows);
    out.write(name, path -> spark.createDataFrame(rows, schema).write().parquet(path));
    return name;
  }

  private static Iterator<Row> rows(DenseBlock block) {
    List<Row> rows = new ArrayList<>(block.numRows());
    int cols = block.numCols();
    for (int r = 0; r < block.numRows(); r++) {
      Object values;
      if (block.dtype() == DType.FLOAT64) {
        double[] v = new double[cols];
        System.arraycopy(block.doubles(), r * cols, v, 0, cols);
        values = v;
      } else {
        float[] v = new float[cols];
        System.arraycopy(block.floats(), r * cols, v, 0, cols);
        values = v;
      }
      rows.add(RowFactory.create(block.rowId(r), values));
    }
    return rows.iterator();
  }

  /** Places every block's rows at their row ids (0..n-1 for .npy inputs) and writes one array. */
  private static void writeNpy(List<DenseBlock> blocks, long numRows, int numCols, DType dtype,
      OutputDir out, String file) {
    DenseBlock all = DenseBlock.zeros(dtype, Math.toIntExact(numRows), numCols);
    for (DenseBlock b : blocks) {
      for (int r = 0; r < b.numRows(); r++) {
        int at = Math.toIntExact(b.rowId(r));
        if (dtype == DType.FLOAT64) {
          System.arraycopy(b.doubles(), r * numCols, all.doubles(), at * numCols, numCols);
        } else {
          System.arraycopy(b.floats(), r * numCols, all.floats(), at * numCols, numCols);
        }
      }
    }
    writeNpy(out, file, NpyArray.of(all));
  }

  public static void writeNpy(OutputDir out, String file, NpyArray array) {
    try (OutputStream stream = out.create(file)) {
      Npy.write(stream, array);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
