package io.sparkgemm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Files and the shared session of the end-to-end tests: .npy in and out, reports, outputs. */
final class E2eFiles {
  private E2eFiles() {
  }

  /** The one session of a test class; the CLI reuses it in-process (and does not stop it). */
  static SparkSession startSession(String name) {
    return SparkSession.builder().master("local[2]").appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "3")
        .getOrCreate();
  }

  static Path npy(Path file, double[][] m) {
    Npy.write(file, NpyArray.of(DenseBlock.ofRows(m)));
    return file;
  }

  static Path npy(Path file, double[] v) {
    Npy.write(file, NpyArray.ofVector(v));
    return file;
  }

  static Path npyInts(Path file, int[] v) {
    Npy.write(file, NpyArray.ofInts(v));
    return file;
  }

  /** A 1-D int64 .npy (local-gemm writes only int32), header as NumPy writes it. */
  static Path npyLongs(Path file, int[] v) {
    String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + v.length + ",), }";
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] text = header.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer buf = ByteBuffer.allocate(10 + text.length + 8 * v.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1))
        .put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
    for (int label : v) {
      buf.putLong(label);
    }
    try {
      Files.write(file, buf.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** A 2-D .npy (float64 or float32) as double rows. */
  static double[][] readMatrix(Path file) {
    return Npy.read(file).toBlock().toRows();
  }

  static double[] readVector(Path file) {
    return Npy.read(file).toVector();
  }

  static JsonNode report(Path dir) {
    try {
      return new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[][] toMatrix(JsonNode array) {
    double[][] m = new double[array.size()][];
    for (int r = 0; r < m.length; r++) {
      m[r] = new double[array.get(r).size()];
      for (int c = 0; c < m[r].length; c++) {
        m[r][c] = array.get(r).get(c).asDouble();
      }
    }
    return m;
  }

  /** A Parquet output with columns id and values, as rows ordered by id. */
  static Map<Long, double[]> readRows(SparkSession spark, Path dir) {
    Map<Long, double[]> rows = new TreeMap<>();
    for (Row row : spark.read().parquet(dir.toString()).collectAsList()) {
      List<Object> values = row.getList(row.fieldIndex("values"));
      double[] v = new double[values.size()];
      for (int c = 0; c < v.length; c++) {
        v[c] = ((Number) values.get(c)).doubleValue();
      }
      long id = row.getLong(row.fieldIndex("id"));
      if (rows.put(id, v) != null) {
        throw new AssertionError(dir + ": row id " + id + " appears twice");
      }
    }
    return rows;
  }

  /** Entries of {@code parent} whose names start with {@code prefix}. */
  static List<String> namesStartingWith(Path parent, String prefix) {
    try (Stream<Path> entries = Files.list(parent)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
