package io.sparkgemm.spark.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes Parquet files of {@code id bigint, features vector} as Spark lays them out (the same
 * Parquet schema and the Spark schema in the footer), but with vectors Spark's own vectors
 * refuse to be: what another writer could leave.
 */
final class VectorFileWriter {
  /** The Parquet schema Spark 4.2 writes for these columns. */
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
      "message spark_schema {\n"
      + "  required int64 id;\n"
      + "  optional group features {\n"
      + "    required int32 type (INTEGER(8,true));\n"
      + "    optional int32 size;\n"
      + "    optional group indices (LIST) { repeated group list { required int32 element; } }\n"
      + "    optional group values (LIST) { repeated group list { required double element; } }\n"
      + "  }\n"
      + "}");
  /** Where Spark keeps its schema in the footer, read back instead of Parquet's. */
  private static final String SPARK_SCHEMA = "org.apache.spark.sql.parquet.row.metadata";

  private VectorFileWriter() {
  }

  /**
   * A folder with one part file of {@code rows} rows, ids 4, 5, ...: dense vectors of
   * {@code d} values but row {@code bad}, which has the given fields (null ones left out).
   */
  static void write(Path folder, int d, int rows, int bad, int type, Integer size,
      int[] indices, double[] values) throws IOException {
    Files.createDirectories(folder);
    String json = new StructType().add("id", DataTypes.LongType, false)
        .add("features", new VectorUDT(), true).json();
    LocalOutputFile part = new LocalOutputFile(folder.resolve("part-00000.parquet"));
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(part).withType(SCHEMA)
        .withConf(new Configuration()).withExtraMetaData(Map.of(SPARK_SCHEMA, json)).build()) {
      SimpleGroupFactory rowsOf = new SimpleGroupFactory(SCHEMA);
      for (int r = 0; r < rows; r++) {
        Group row = rowsOf.newGroup().append("id", 4L + r);
        Group vector = row.addGroup("features");
        if (r == bad) {
          fields(vector, type, size, indices, values);
        } else {
          double[] dense = new double[d];
          Arrays.fill(dense, r + 0.25);
          fields(vector, 1, null, null, dense);
        }
        writer.write(row);
      }
    }
  }

  private static void fields(Group vector, int type, Integer size, int[] indices,
      double[] values) {
    vector.append("type", type);
    if (size != null) {
      vector.append("size", size);
    }
    if (indices != null) {
      Group list = vector.addGroup("indices");
      for (int i : indices) {
        list.addGroup("list").append("element", i);
      }
    }
    if (values != null) {
      Group list = vector.addGroup("values");
      for (double v : values) {
        list.addGroup("list").append("element", v);
      }
    }
  }
}
