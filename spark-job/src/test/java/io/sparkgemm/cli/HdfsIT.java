package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.hdfs.MiniHdfs;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on a real HDFS (an in-process NameNode and two DataNodes): .npy, Parquet and CSV X,
 * labels, G, W and b read from {@code hdfs://}, outputs, checkpoints and a resume written there,
 * every result bit for bit the same as the same run on {@code file://}; and the refusals of a
 * missing file, an output overlapping an input and an existing output, on HDFS as locally.
 */
class HdfsIT {
  private static final int N = 240;
  private static final int D = 6;
  private static final int K = 3;

  @TempDir
  static File dir;

  private static MiniHdfs hdfs;
  private static SparkSession spark;
  /** The same inputs under file:// and hdfs:// (a folder URL each, without a trailing /). */
  private static String local;
  private static String remote;

  @BeforeAll
  static void start() throws IOException {
    hdfs = MiniHdfs.start(new File(dir, "hdfs"), 2);
    spark = E2eFiles.startSession("HdfsIT");
    var in = Files.createDirectories(dir.toPath().resolve("in"));
    Random random = new Random(21);
    double[][] x = NaiveOracle.gaussian(random, N, D);
    int[] labels = NaiveOracle.classes(random, N, K);
    npy(in.resolve("X.npy"), x);
    E2eFiles.npyInts(in.resolve("L.npy"), labels);
    npy(in.resolve("G.npy"), NaiveOracle.gaussian(random, N, K));
    npy(in.resolve("W.npy"), NaiveOracle.gaussian(random, D, K));
    npy(in.resolve("b.npy"), NaiveOracle.gaussian(random, K));
    List<Row> rows = new ArrayList<>();
    StringBuilder csv = new StringBuilder("a,b,c,d,e,f\n");
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create(Arrays.stream(x[r]).boxed().toList(), labels[r]));
      csv.append(String.join(",", Arrays.stream(x[r]).mapToObj(Double::toString).toList()))
          .append('\n');
    }
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("label", DataTypes.IntegerType, false);
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    df.coalesce(1).write().parquet(in.resolve("X.parquet").toString());
    Files.writeString(in.resolve("X.csv"), csv.toString(), StandardCharsets.UTF_8);
    local = in.toUri().toString().replaceAll("/$", "");
    remote = hdfs.url("/in");
    // the fixture's client settings: small blocks, so that X spans several DataNodes' blocks
    FileSystem fs = hdfs.fileSystem();
    fs.copyFromLocalFile(false, true, new Path(local),
        new Path(remote));
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (hdfs != null) {
      hdfs.close();
    }
  }

  /** A backward pass over .npy X, G, W and b: dW, db and dX (.npy) match file:// bit for bit. */
  @Test
  void aNpyPassReadsEverythingFromHdfs() throws IOException {
    for (String base : List.of(local, remote)) {
      ok("backward", "--x", base + "/X.npy", "--w", base + "/W.npy", "--b", base + "/b.npy",
          "--upstream", base + "/G.npy", "--input-grad", "--out", out(base, "npy"),
          "--master", "local[2]");
    }
    assertSameFiles("npy", "dW.npy", "db.npy", "dX.npy");
  }

  /** Parquet X with its labels column, and CSV X, from hdfs://: the same gradients. */
  @Test
  void parquetAndCsvInputsReadFromHdfs() throws IOException {
    for (String base : List.of(local, remote)) {
      ok("backward", "--x", base + "/X.parquet", "--features-col", "features", "--labels-col",
          "label", "--loss", "softmax-ce", "--w", base + "/W.npy", "--b", base + "/b.npy",
          "--out", out(base, "parquet"), "--master", "local[2]");
      ok("forward", "--x", base + "/X.csv", "--w", base + "/W.npy", "--out", out(base, "csv"),
          "--master", "local[2]");
    }
    assertSameFiles("parquet", "dW.npy", "db.npy");
    assertSameRows("csv", "Y");
  }

  /**
   * train with W, b and labels from hdfs://, checkpoints there, then a resume from there: the
   * models and the checkpoints left match those of the same runs on file://.
   */
  @Test
  void trainCheckpointsAndResumesOnHdfs() throws IOException {
    for (String base : List.of(local, remote)) {
      List<String> common = List.of("train", "--x", base + "/X.npy", "--labels",
          base + "/L.npy", "--loss", "softmax-ce", "--optimizer", "gd", "--checkpoint-every",
          "2", "--checkpoint-dir", out(base, "ck"), "--master", "local[2]");
      List<String> first = new ArrayList<>(common);
      first.addAll(List.of("--w", base + "/W.npy", "--b", base + "/b.npy", "--max-iter", "4",
          "--out", out(base, "m1")));
      ok(first.toArray(new String[0]));
      List<String> resumed = new ArrayList<>(common);
      resumed.addAll(List.of("--resume", out(base, "ck"), "--max-iter", "6", "--out",
          out(base, "m2")));
      CliRun run = ok(resumed.toArray(new String[0]));
      assertThat(run.out()).doesNotContain("removed the checkpoints");
    }
    assertSameFiles("m1", "W.npy", "b.npy", "model.json");
    assertSameFiles("m2", "W.npy", "b.npy", "model.json");
    assertThat(names(remote + "-out/ck")).containsExactly("iter-00000004", "iter-00000006");
    assertThat(names(local + "-out/ck")).isEqualTo(names(remote + "-out/ck"));
    assertSameFiles("ck/iter-00000006", "W.npy", "b.npy", "model.json");
  }

  /** k counted from .npy labels on hdfs:// (a Spark job; no --w, no --outputs). */
  @Test
  void classesAreCountedFromLabelsOnHdfs() throws IOException {
    for (String base : List.of(local, remote)) {
      CliRun run = ok("train", "--x", base + "/X.npy", "--labels", base + "/L.npy", "--loss",
          "softmax-ce", "--optimizer", "gd", "--max-iter", "2", "--out", out(base, "counted"),
          "--master", "local[2]");
      assertThat(run.out()).contains("k = 3 from the class labels (largest id 2)");
    }
    assertSameFiles("counted", "W.npy", "b.npy", "model.json");
  }

  /** Refusals on hdfs:// are those of a local disk: exit 2, one line, nothing written. */
  @Test
  void hdfsPathsAreRefusedAsLocalOnesAre() throws IOException {
    String x = remote + "/X.npy";
    String w = remote + "/W.npy";
    assertThat(refused("forward", "--x", x, "--w", remote + "/nothing.npy", "--out",
        out(remote, "r1"))).isEqualTo(remote + "/nothing.npy: no such file or directory");
    assertThat(refused("forward", "--x", remote + "/nothing.npy", "--w", w, "--out",
        out(remote, "r1"))).isEqualTo(remote + "/nothing.npy: no such file or directory");
    assertThat(refused("forward", "--x", x, "--w", w, "--out", remote))
        .startsWith("--out " + remote + " holds the input --x " + x);
    assertThat(refused("forward", "--x", x, "--w", w, "--out", remote + "/X.npy/inside"))
        .startsWith("--out " + remote + "/X.npy/inside lies inside the input --x " + x);
    FileSystem fs = hdfs.fileSystem();
    Path empty = hdfs.path("/empty");
    fs.mkdirs(empty);
    assertThat(refused("forward", "--x", x, "--w", w, "--out", empty.toString()))
        .isEqualTo("--out " + empty + " already exists; pass --overwrite to replace it");
    Path plain = hdfs.path("/plain");
    try (OutputStream s = fs.create(new Path(plain, "notes.txt"))) {
      s.write("not spark-gemm's".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(refused("forward", "--x", x, "--w", w, "--out", plain.toString(),
        "--overwrite")).startsWith("--out " + plain + " exists and ")
        .contains("--overwrite replaces only a previous spark-gemm output");
    assertThat(fs.listStatus(plain)).hasSize(1);
    assertThat(refused("train", "--x", x, "--labels", remote + "/L.npy", "--loss",
        "softmax-ce", "--resume", out(remote, "nowhere"), "--out", out(remote, "r2")))
        .startsWith("--resume " + out(remote, "nowhere") + ": no checkpoint");
    assertThat(fs.exists(hdfs.path("/in-out/r1"))).isFalse();
    assertThat(fs.exists(hdfs.path("/in-out/r2"))).isFalse();
  }

  /** An output folder beside the inputs, on the same file system. */
  private static String out(String base, String name) {
    return base + "-out/" + name;
  }

  private static CliRun ok(String... args) {
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as("exit code of %s; stderr:%n%s", Arrays.toString(args),
        run.err()).isZero();
    return run;
  }

  /** The one error line of a refused run, without "error: ". */
  private static String refused(String... args) {
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isEqualTo(2);
    assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
    assertThat(run.err()).startsWith("error: ");
    return run.err().strip().substring("error: ".length());
  }

  private static void assertSameFiles(String output, String... names) throws IOException {
    for (String name : names) {
      assertThat(bytes(out(remote, output) + "/" + name))
          .as("%s/%s on hdfs:// and file://", output, name)
          .isEqualTo(bytes(out(local, output) + "/" + name));
    }
  }

  /** A Parquet output of rows (id, values): the same ids and the same bits. */
  private static void assertSameRows(String output, String name) {
    Map<Long, List<Long>> there = rows(out(remote, output) + "/" + name);
    assertThat(there).hasSize(N);
    assertThat(there).isEqualTo(rows(out(local, output) + "/" + name));
  }

  private static Map<Long, List<Long>> rows(String path) {
    Map<Long, List<Long>> rows = new TreeMap<>();
    for (Row row : spark.read().parquet(path).collectAsList()) {
      List<Object> values = row.getList(row.fieldIndex("values"));
      rows.put(row.getLong(row.fieldIndex("id")), values.stream()
          .map(v -> Double.doubleToRawLongBits(((Number) v).doubleValue())).toList());
    }
    return rows;
  }

  private static byte[] bytes(String url) throws IOException {
    Path path = new Path(url);
    try (InputStream in = path.getFileSystem(hdfs.configuration()).open(path)) {
      return in.readAllBytes();
    }
  }

  private static List<String> names(String url) throws IOException {
    Path path = new Path(url);
    return Arrays.stream(path.getFileSystem(hdfs.configuration()).listStatus(path))
        .map(FileStatus::getPath).map(Path::getName)
        .filter(n -> !n.startsWith(".")).sorted().toList();
  }
}
