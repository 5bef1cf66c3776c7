package io.sparkgemm.spark.output;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.local.npy.NpyDType;
import io.sparkgemm.spark.block.BlockedInput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Writes a pass's row-shaped outputs (Y, dX) from the executors: as {@code NAME.npy} (rows in
 * row-id order, see {@link NpyRowFile}) when X came from a .npy file, else as a Parquet folder
 * {@code NAME} with columns {@code id} and {@code values} (an array in the pass's dtype).
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
      writeNpy(blocks, input.numRows(), numCols, dtype, out, file);
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

  /**
   * Writes every block's rows at their row ids (0..n-1 for .npy inputs) into one .npy file,
   * from the executors ({@link NpyRowFile}): the driver writes at most the header.
   */
  private static void writeNpy(JavaRDD<DenseBlock> blocks, long numRows, int numCols,
      DType dtype, OutputDir out, String file) {
    out.write(file, path -> {
      Configuration conf = out.conf();
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
      Broadcast<SerializableConfiguration> taskConf = jsc.broadcast(
          new SerializableConfiguration(conf));
      try {
        NpyRowFile npy = NpyRowFile.create(conf, path, dtype == DType.FLOAT64 ? NpyDType.FLOAT64
            : NpyDType.FLOAT32, Math.toIntExact(numRows), numCols);
        blocks.foreachPartition(it -> {
          try (NpyRowFile.Sink sink = npy.open(taskConf.value().value())) {
            while (it.hasNext()) {
              write(sink, it.next());
            }
          }
        });
        npy.finish(conf);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + file, e);
      } finally {
        taskConf.destroy();
      }
    });
  }

  /** A block's rows, whose ids are consecutive (rows of a .npy X are numbered by position). */
  private static void write(NpyRowFile.Sink sink, DenseBlock block) throws IOException {
    if (block.numRows() == 0) {
      return;
    }
    long first = block.rowId(0);
    for (int r = 1; r < block.numRows(); r++) {
      if (block.rowId(r) != first + r) {
        throw new IllegalStateException("Row ids of a block are not consecutive: row " + r
            + " has id " + block.rowId(r) + " after " + first);
      }
    }
    if (block.dtype() == DType.FLOAT64) {
      sink.write(first, block.doubles(), 0, block.numRows());
    } else {
      sink.write(first, block.floats(), 0, block.numRows());
    }
  }

  public static void writeNpy(OutputDir out, String file, NpyArray array) {
    try (OutputStream stream = out.create(file)) {
      Npy.write(stream, array);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
