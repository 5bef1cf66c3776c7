package io.sparkgemm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.cli.SparkGemmCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Data, the local-mode reference run and bitwise comparisons shared by the cluster tests. */
final class ClusterFixtures {
  private ClusterFixtures() {
  }

  /** A seeded regression dataset (Parquet, id/features/targets) under {@code dir/data}. */
  static Path generate(Path dir, int rows) {
    Path data = dir.resolve("data");
    cli("generate", "--rows", Integer.toString(rows), "--features", "24", "--outputs", "6",
        "--seed", "9", "--partitions", "3", "--out", data.toString(), "--master", "local[2]");
    return data.resolve("X.parquet");
  }

  /** The backward command both modes run (absolute paths: a cluster-mode driver runs elsewhere). */
  static List<String> backward(Path x, Path out, int blockRows) {
    return List.of("backward", "--x", x.toString(), "--id-col", "id", "--labels-col", "targets",
        "--loss", "mse", "--init", "xavier", "--outputs", "6", "--seed", "4", "--input-grad",
        "--partitions", "4", "--block-rows", Integer.toString(blockRows), "--out",
        out.toString());
  }

  /**
   * A minibatch network training both modes run: tanh 24-16-6 on the mse targets, adam, 2
   * epochs of 6 steps, each step a seeded slice of every partition.
   */
  static List<String> trainNetwork(Path x, Path out, int blockRows) {
    return List.of("train", "--x", x.toString(), "--id-col", "id", "--labels-col", "targets",
        "--loss", "mse", "--hidden", "16", "--activation", "tanh", "--optimizer", "adam",
        "--batch-rows", "4000", "--epochs", "2", "--lr", "0.01", "--seed", "4",
        "--partitions", "4", "--block-rows", Integer.toString(blockRows), "--out",
        out.toString());
  }

  static void cli(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SparkGemmCli.run(args, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
  }

  static void localReference(Path x, Path out, int blockRows) {
    List<String> args = new ArrayList<>(backward(x, out, blockRows));
    args.addAll(List.of("--master", "local[1]"));   // one core against the cluster's two
    cli(args.toArray(new String[0]));
  }

  /** dW.npy and db.npy byte for byte, dX row by row with exact double equality. */
  static void assertSameBits(Path expected, Path actual) throws IOException {
    for (String file : List.of("dW.npy", "db.npy")) {
      assertThat(Files.readAllBytes(actual.resolve(file)))
          .as(file + " of " + actual + " equals the local-mode result byte for byte")
          .isEqualTo(Files.readAllBytes(expected.resolve(file)));
    }
    SparkSession spark = SparkSession.builder().master("local[1]").appName("compare")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Map<Long, double[]> want = rows(spark, expected.resolve("dX"));
      Map<Long, double[]> got = rows(spark, actual.resolve("dX"));
      assertThat(got.keySet()).isEqualTo(want.keySet());
      for (Map.Entry<Long, double[]> e : want.entrySet()) {
        assertThat(got.get(e.getKey())).as("dX row id " + e.getKey()).isEqualTo(e.getValue());
      }
    } finally {
      spark.stop();
    }
  }

  private static Map<Long, double[]> rows(SparkSession spark, Path parquet) {
    Map<Long, double[]> out = new TreeMap<>();
    for (Row r : spark.read().parquet(parquet.toString()).collectAsList()) {
      List<Double> values = r.getList(1);
      out.put(r.getLong(0), values.stream().mapToDouble(Double::doubleValue).toArray());
    }
    return out;
  }
}
