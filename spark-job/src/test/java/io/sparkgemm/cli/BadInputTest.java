package io.sparkgemm.cli;

import static io.sparkgemm.cli.E2eFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad inputs. Each case: exit code 2, a one-line message saying what was
 * expected, what came and where (file, row id, column, shape), no stack trace, and nothing
 * written: neither the output folder nor a staging sibling. Cheap checks happen on the driver
 * before Spark starts; row checks happen on the executors in the load, naming the first offender.
 * (Usage errors are in {@link CliBadUsageTest}, all-or-nothing output in
 * {@link OutputSafetyTest}.)
 */
class BadInputTest {
  private static final int N = 12;
  private static final int D = 4;
  private static final int K = 3;
  private static final StructType X_SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
      .add("target", DataTypes.DoubleType, false)
      .add("label", DataTypes.DoubleType, false)
      .add("name", DataTypes.StringType, false);

  @TempDir
  static Path inputs;

  private static SparkSession spark;
  private static double[][] x;

  @BeforeAll
  static void writeInputs() throws IOException {
    spark = E2eFiles.startSession("BadInputTest");
    Random random = new Random(8L);
    x = NaiveOracle.gaussian(random, N, D);
    double[][] w = NaiveOracle.gaussian(random, D, K);
    npy(in("X.npy"), x);
    npy(in("W.npy"), w);
    npy(in("W-tall.npy"), NaiveOracle.gaussian(random, D + 1, K));
    npy(in("W-wide.npy"), NaiveOracle.gaussian(random, D, 2 * D));
    npy(in("b4.npy"), NaiveOracle.gaussian(random, K + 1));
    npy(in("T-short.npy"), NaiveOracle.gaussian(random, N - 1, K));
    npy(in("G-narrow.npy"), NaiveOracle.gaussian(random, N, K - 1));
    npy(in("X-nan.npy"), with(x, 5, 1, Double.NaN));
    npy(in("W-nan.npy"), with(w, 1, 2, Double.NaN));
    npy(in("b-inf.npy"), new double[] {Double.NEGATIVE_INFINITY, 0, 0});
    npy(in("G-nan.npy"), with(NaiveOracle.gaussian(random, N, K), 4, 2, Double.NaN));
    npy(in("T-inf.npy"), with(NaiveOracle.gaussian(random, N, K), 9, 0,
        Double.POSITIVE_INFINITY));
    int[] labels = NaiveOracle.classes(random, N, K);
    labels[10] = K;
    E2eFiles.npyInts(in("labels-out-of-range.npy"), labels);
    npy(in("labels-float.npy"), NaiveOracle.gaussian(random, N));
    rawNpy("X-empty.npy", "<f8", "(0, 4)", 0);
    Files.writeString(in("not-npy.npy"), "this is a text file, not an array\n");
    byte[] whole = Files.readAllBytes(in("X.npy"));
    Files.write(in("X-truncated.npy"), Arrays.copyOf(whole, whole.length - 20));
    rawNpy("X-complex.npy", "<c16", "(12, 4)", 12 * 4 * 16);
    rawNpy("X-object.npy", "|O", "(12, 4)", 12 * 4 * 8);
    rawNpy("X-3d.npy", "<f8", "(2, 3, 2)", 12 * 8);
    Files.createDirectory(in("a-folder.npy"));

    parquet("ragged.parquet", r -> r == 7 ? Arrays.copyOf(x[r], D - 1) : x[r]);
    parquet("null-row.parquet", r -> r == 3 ? null : x[r]);
    parquet("null-value.parquet", r -> r == 6 ? new Double[] {1.0, null, 2.0, 3.0} : x[r]);
    parquet("inf.parquet", r -> r == 8 ? with(x, 8, 2, Double.POSITIVE_INFINITY)[8] : x[r]);
    parquet("fractional-label.parquet", r -> x[r]);
    spark.createDataFrame(List.of(), X_SCHEMA).write().parquet(in("empty.parquet").toString());
    List<Row> dup = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      dup.add(row(r == 9 ? 5 : r, x[r], r));
    }
    spark.createDataFrame(dup, X_SCHEMA).write().parquet(in("duplicate-id.parquet").toString());
    StructType textFeatures = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.StringType, false);
    spark.createDataFrame(List.of(RowFactory.create(0L, "1 2 3 4")), textFeatures).write()
        .parquet(in("text-features.parquet").toString());
    Files.writeString(in("non-numeric.csv"), "a,b,c\n1,2,3\n4,5,6\n7,abc,9\n");
    npy(in("W-csv.npy"), NaiveOracle.gaussian(random, 3, K));

    StructType gSchema = new StructType().add("id", DataTypes.LongType, false)
        .add("g", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    List<Row> missing = new ArrayList<>();
    List<Row> twice = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      double[] g = NaiveOracle.gaussian(random, K);
      if (r != 11) {
        missing.add(RowFactory.create((long) r, g));
      }
      twice.add(RowFactory.create((long) r, g));
    }
    twice.add(RowFactory.create(3L, NaiveOracle.gaussian(random, K)));
    spark.createDataFrame(missing, gSchema).write().parquet(in("G-missing.parquet").toString());
    spark.createDataFrame(twice, gSchema).write().parquet(in("G-twice.parquet").toString());
    parquet("X.parquet", r -> x[r]);
    List<Row> gIds = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      gIds.add(RowFactory.create((long) r, NaiveOracle.gaussian(random, K)));
    }
    spark.createDataFrame(gIds, gSchema).write().parquet(in("G-ids.parquet").toString());
    writeBadDatasets(random);
  }

  /** Datasets for the crashes of issue 13: null first arrays, unreadable parts, odd CSVs. */
  private static void writeBadDatasets(Random random) throws IOException {
    // A named pipe: opening it to read would wait for a writer forever.
    try {
      Process mkfifo = new ProcessBuilder("mkfifo", in("fifo.npy").toString()).start();
      if (mkfifo.waitFor() != 0) {
        throw new IOException("mkfifo exited with " + mkfifo.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    StructType targetSchema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("t", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
        .add("label", DataTypes.IntegerType, false);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      rows.add(RowFactory.create((long) r, x[r], r == 0 ? null : NaiveOracle.gaussian(random, K),
          r == 10 ? K : r % K));
    }
    spark.createDataFrame(rows, targetSchema).coalesce(1).write()
        .parquet(in("null-first-target.parquet").toString());
    StructType gSchema = new StructType().add("id", DataTypes.LongType, false)
        .add("g", DataTypes.createArrayType(DataTypes.DoubleType, false), true);
    List<Row> gRows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      gRows.add(RowFactory.create((long) r, r == 0 ? null : NaiveOracle.gaussian(random, K)));
    }
    spark.createDataFrame(gRows, gSchema).coalesce(1).write()
        .parquet(in("G-null-first.parquet").toString());
    StructType twoArrays = new StructType().add("id", DataTypes.LongType, false)
        .add("a", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("b", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    List<Row> ab = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      ab.add(RowFactory.create((long) r, x[r], x[r]));
    }
    spark.createDataFrame(ab, twoArrays).coalesce(1).write()
        .parquet(in("two-arrays.parquet").toString());

    // part files: one whose features are strings; one cut short; a text file; only _SUCCESS
    StructType textArray = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.StringType, false), false);
    Path other = in("strings.parquet");
    spark.createDataFrame(List.of(RowFactory.create(99L, List.of("a", "b", "c", "d"))),
        textArray).coalesce(1).write().parquet(other.toString());
    Path good = firstPart(in("X.parquet"));
    Path mixed = Files.createDirectory(in("mixed-schemas.parquet"));
    Files.copy(good, mixed.resolve("part-00000.parquet"));
    Files.copy(firstPart(other), mixed.resolve("part-00001.parquet"));
    Path truncated = Files.createDirectory(in("truncated-part.parquet"));
    Files.copy(good, truncated.resolve("part-00000.parquet"));
    byte[] part = Files.readAllBytes(good);
    Files.write(truncated.resolve("part-00001.parquet"), Arrays.copyOf(part, part.length / 2));
    Path withText = Files.createDirectory(in("with-text.parquet"));
    Files.copy(good, withText.resolve("part-00000.parquet"));
    Files.writeString(withText.resolve("notes.txt"), "written by hand, not by Spark\n");
    Path onlySuccess = Files.createDirectory(in("only-success.parquet"));
    Files.writeString(onlySuccess.resolve("_SUCCESS"), "");

    Files.writeString(in("semicolons.csv"), "a;b;c\n1.5;2.5;3.5\n4.5;5.5;6.5\n");
    Files.writeString(in("pandas-ints.csv"), "0,1,2\n3,4,5\n6,7,8\n");
    Files.writeString(in("ints-over-decimals.csv"), "3,7,2\n0.5,1.5,2.5\n4.5,5.5,6.5\n");
    Files.writeString(in("ragged.csv"), "a,b,c\n1,2,3\n4,5\n7,8,9\n");
    StringBuilder late = new StringBuilder("a,b,c\n");
    for (int r = 0; r < 40; r++) {
      late.append(r == 35 ? "1,2\n" : r + ".5,1,2\n");
    }
    Files.writeString(in("ragged-late.csv"), late);
  }

  private static Path firstPart(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted()
          .findFirst().orElseThrow();
    }
  }

  @AfterAll
  static void stopSession() {
    spark.stop();
  }

  private static Path in(String name) {
    return inputs.resolve(name);
  }

  private static double[][] with(double[][] m, int r, int c, double value) {
    double[][] copy = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      copy[i] = m[i].clone();
    }
    copy[r][c] = value;
    return copy;
  }

  private static Row row(long id, Object features, int r) {
    return RowFactory.create(id, features, 1.0 * r, r == 4 ? 2.5 : r % K, "row" + r);
  }

  private static void parquet(String name, IntFunction<Object> features) {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      Object f = features.apply(r);
      if (f instanceof double[] a) {
        f = Arrays.stream(a).boxed().toArray(Double[]::new);
      }
      rows.add(row(r, f == null ? null : Arrays.asList((Double[]) f), r));
    }
    spark.createDataFrame(rows, X_SCHEMA).repartition(2).write()
        .parquet(in(name).toString());
  }

  /** A .npy with the given descr and shape and {@code dataBytes} of zeros. */
  private static void rawNpy(String name, String descr, String shape, int dataBytes) {
    StringBuilder header = new StringBuilder("{'descr': '" + descr
        + "', 'fortran_order': False, 'shape': " + shape + ", }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] text = header.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer buf = ByteBuffer.allocate(10 + text.length + dataBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1)
        .put((byte) 0).putShort((short) text.length).put(text);
    try {
      Files.write(in(name), buf.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Case(String name, List<String> args, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case bad(String name, String args, String... expected) {
    return new Case(name, List.of(args.split(" ")), List.of(expected));
  }

  static Stream<Arguments> cases() {
    String npyBackward = "backward --x {X.npy} --w {W.npy} ";
    String pqBackward = "backward --id-col id --w {W.npy} --block-rows 3 --x ";
    return Stream.of(
        // shapes
        bad("W rows != d", "backward --x {X.npy} --w {W-tall.npy} --loss sum",
            "W is 5x3 but X has 4 features"),
        bad("b length != k", npyBackward + "--loss sum --b {b4.npy}",
            "b4.npy: b has 4 values but W has 3 outputs (b must have k = 3)"),
        bad("G columns != k", npyBackward + "--upstream {G-narrow.npy}",
            "The upstream gradient G has 2 columns but Y = XW + b has k = 3"),
        bad("labels rows != n", npyBackward + "--loss mse --labels {T-short.npy}",
            "T-short.npy: labels has 11 rows but X", "has 12"),
        bad("ragged row", pqBackward + "{ragged.parquet} --loss sum",
            "ragged.parquet: row id 7 has 3 features but the first row has 4"),
        // missing values
        bad("null features", pqBackward + "{null-row.parquet} --loss sum",
            "null-row.parquet: row id 3 has null features"),
        bad("null feature value", pqBackward + "{null-value.parquet} --loss sum",
            "null-value.parquet: row id 6 has a null features value at position 1"),
        // non-finite values
        bad("NaN in X (.npy)", "backward --x {X-nan.npy} --w {W.npy} --loss sum",
            "X-nan.npy: row id 5 has NaN in features column 1", "--allow-nonfinite"),
        bad("Inf in X (Parquet)", pqBackward + "{inf.parquet} --loss sum",
            "inf.parquet: row id 8 has Infinity in features column 2"),
        bad("NaN in W", "backward --x {X.npy} --w {W-nan.npy} --loss sum",
            "W-nan.npy: W has NaN at row 1, column 2", "--allow-nonfinite"),
        bad("-Inf in b", npyBackward + "--loss sum --b {b-inf.npy}",
            "b-inf.npy: b has -Infinity at index 0"),
        bad("NaN in G", npyBackward + "--upstream {G-nan.npy}",
            "row id 4 has NaN in upstream gradient column 2"),
        bad("Inf in targets", npyBackward + "--loss mse --labels {T-inf.npy}",
            "row id 9 has Infinity in targets column 0"),
        // labels
        bad("class out of range", npyBackward + "--loss softmax-ce --labels "
            + "{labels-out-of-range.npy}", "labels-out-of-range.npy: Class label 3 at row id 10 "
            + "is out of range", "labels must be in 0..2"),
        bad("class out of range (.npy labels, Parquet X)", pqBackward + "{X.parquet} --loss "
            + "softmax-ce --labels {labels-out-of-range.npy}", "labels-out-of-range.npy: Class "
            + "label 3 at row id 10 is out of range", "labels must be in 0..2"),
        bad("class out of range (label column)", pqBackward + "{null-first-target.parquet} "
            + "--loss softmax-ce --labels-col label", "null-first-target.parquet, column "
            + "'label': Class label 3 at row id 10 is out of range", "labels must be in 0..2"),
        bad("null targets in the first row", pqBackward + "{null-first-target.parquet} "
            + "--loss mse --labels-col t", "null-first-target.parquet, column 't': row id 0 "
            + "has null targets"),
        bad("null G in the first row", pqBackward + "{X.parquet} --upstream "
            + "{G-null-first.parquet}", "G-null-first.parquet, column 'g': row id 0 has null "
            + "upstream gradient"),
        bad("fractional class", pqBackward + "{fractional-label.parquet} --loss softmax-ce "
            + "--labels-col label", "row id 4 has class label 2.5, expected a non-negative "
            + "integer class id"),
        bad("float .npy for classes", npyBackward + "--loss softmax-ce --labels "
            + "{labels-float.npy}", "labels-float.npy", "expected a 1-D int32 or int64 array"),
        // empty and unreadable
        bad("empty .npy", "backward --x {X-empty.npy} --w {W.npy} --loss sum",
            "X-empty.npy: the input has no rows (shape 0x4)"),
        bad("empty Parquet", pqBackward + "{empty.parquet} --loss sum",
            "empty.parquet: the input has no rows"),
        bad("missing file", "backward --x {nothing.parquet} --w {W.npy} --loss sum",
            "nothing.parquet: no such file or directory"),
        bad("a named pipe for X", "backward --x {fifo.npy} --w {W.npy} --loss sum",
            "error: --x ", "fifo.npy: is not a regular file (a named pipe"),
        bad("a named pipe for W", "backward --x {X.npy} --w {fifo.npy} --loss sum",
            "error: --w ", "fifo.npy: is not a regular file (a named pipe"),
        bad("a named pipe for labels", npyBackward + "--loss mse --labels {fifo.npy}",
            "fifo.npy: is not a regular file (a named pipe"),
        bad("a named pipe for G", npyBackward + "--upstream {fifo.npy}",
            "fifo.npy: is not a regular file (a named pipe"),
        bad("a folder for W", "backward --x {X.npy} --w {a-folder.npy} --loss sum",
            "a-folder.npy: is a directory, expected a .npy file"),
        // .npy format
        bad(".npy bad magic", "backward --x {not-npy.npy} --w {W.npy} --loss sum",
            "not-npy.npy: not a .npy file"),
        bad(".npy truncated", "backward --x {X-truncated.npy} --w {W.npy} --loss sum",
            "X-truncated.npy: truncated data: shape (12, 4)"),
        bad(".npy complex dtype", "backward --x {X-complex.npy} --w {W.npy} --loss sum",
            "X-complex.npy: unsupported dtype '<c16'"),
        bad(".npy object dtype", "backward --x {X-object.npy} --w {W.npy} --loss sum",
            "X-object.npy: object dtype '|O'", "is refused"),
        bad(".npy 3-D", "backward --x {X-3d.npy} --w {W.npy} --loss sum",
            "X-3d.npy: shape (2, 3, 2) is 3-D; only 1-D and 2-D arrays are supported"),
        // dataset columns
        bad("Parquet column missing", pqBackward + "{X.parquet} --loss sum --features-col nope",
            "X.parquet: no features column 'nope' (columns: id, features, target, label, name)"),
        bad("Parquet column of the wrong type", "backward --id-col id --w {W.npy} --x "
            + "{text-features.parquet} --loss sum", "features column 'features' is string, "
            + "expected array<double>, array<float> or an MLlib vector"),
        bad("id column of the wrong type", "backward --id-col name --w {W.npy} --x {X.parquet} "
            + "--loss sum", "id column 'name' is string, expected an integer type"),
        bad("label column of the wrong type", pqBackward + "{X.parquet} --loss softmax-ce "
            + "--labels-col name", "label column 'name' is string, expected integer class ids"),
        bad("several array columns, none named features", pqBackward
            + "{two-arrays.parquet} --loss sum", "two-arrays.parquet: no column 'features' and "
            + "several array columns [a, b]; choose the features with --features-col"),
        bad("CSV separated by ';'", "backward --w {W-csv.npy} --x {semicolons.csv} --loss sum",
            "semicolons.csv: line 1 ('a;b;c') looks separated by ';', not ','; pass --csv-sep "
                + "';'"),
        bad("CSV header 0,1,2 above integers", "backward --w {W-csv.npy} --x {pandas-ints.csv} "
            + "--loss sum", "pandas-ints.csv: cannot tell whether line 1 ('0,1,2') is a header "
            + "or data", "pass --header true or --header false"),
        bad("CSV integers above decimals", "backward --w {W-csv.npy} --x "
            + "{ints-over-decimals.csv} --loss sum", "ints-over-decimals.csv: cannot tell "
            + "whether line 1 ('3,7,2') is a header", "pass --header true or --header false"),
        bad("CSV ragged line", "backward --w {W-csv.npy} --x {ragged.csv} --loss sum",
            "ragged.csv: line 3 has 2 columns but line 1 has 3"),
        bad("CSV ragged line beyond the first lines", "backward --w {W-csv.npy} --x "
            + "{ragged-late.csv} --loss sum", "ragged-late.csv: cannot be read: line 37 has 2 "
            + "columns but line 1 has 3 ('1,2'"),
        bad("bad --header", "backward --w {W-csv.npy} --x {ragged.csv} --loss sum --header yes",
            "--header must be true, false or auto, got 'yes'"),
        // Parquet folders
        bad("part files with different schemas", pqBackward + "{mixed-schemas.parquet} "
            + "--loss sum", "part-0000", "cannot be read: column features",
            "all part files must have the same schema"),
        bad("a truncated part file", pqBackward + "{truncated-part.parquet} --loss sum",
            "part-00001.parquet: cannot be read: not a Parquet file, or a truncated one"),
        bad("a text file among the parts", pqBackward + "{with-text.parquet} --loss sum",
            "notes.txt: cannot be read: not a Parquet file"),
        bad("a folder with only _SUCCESS", pqBackward + "{only-success.parquet} --loss sum",
            "only-success.parquet: the folder has no data files (only _SUCCESS)"),
        bad("CSV non-numeric cell", "backward --w {W-csv.npy} --x {non-numeric.csv} --loss sum",
            "non-numeric.csv: column 'b' is string, expected numbers (first non-numeric value: "
                + "'abc')"),
        // row ids
        bad("G misses a row id", pqBackward + "{X.parquet} --upstream {G-missing.parquet}",
            "upstream gradient", "G-missing.parquet has no row for row id 11 of X"),
        bad("G repeats a row id", pqBackward + "{X.parquet} --upstream {G-twice.parquet}",
            "G-twice.parquet: row id 3 appears 2 times (ids must be unique)"),
        bad("X repeats a row id aligned with G by id", pqBackward + "{duplicate-id.parquet} "
            + "--upstream {G-ids.parquet}", "duplicate-id.parquet: row id 5 appears 2 times",
            "ids must be unique when rows are aligned by id with the upstream gradient"),
        bad("X repeats a row id (--deterministic)", "backward --id-col id --w {W.npy} "
            + "--block-rows 4 --deterministic --x {duplicate-id.parquet} --loss sum",
            "Row id 5 appears more than once in X"),
        // sizes
        bad("X blocks beyond one array", npyBackward + "--loss sum --block-rows 1000000000",
            "--block-rows 1000000000 with 4 features makes blocks of 4000000000 values",
            "use at most 536870909"),
        bad("Y blocks beyond one array", "backward --x {X.npy} --w {W-wide.npy} --loss sum "
            + "--block-rows 300000000", "make Y blocks of 300000000 x 8 = 2400000000 values",
            "use --block-rows 268435454 or fewer"),
        // nonsense options
        bad("negative tree depth", npyBackward + "--loss sum --tree-depth -1",
            "--tree-depth must be >= 1 (or 0 to choose), got -1"),
        bad("zero shard threshold", npyBackward + "--loss sum --shard-threshold 0",
            "--shard-threshold must be > 0 bytes, got '0'"),
        bad("shard threshold not a size", npyBackward + "--loss sum --shard-threshold lots",
            "--shard-threshold 'lots' is not a size"),
        bad("unknown storage level", npyBackward + "--loss sum --storage-level OFF_HEAP_MAYBE",
            "Unknown --storage-level 'OFF_HEAP_MAYBE': expected MEMORY_AND_DISK, "),
        bad("zero BLAS threads", npyBackward + "--loss sum --blas-threads 0",
            "BLAS threads must be >= 1, got 0")
    ).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedWithExitCode2AndNoOutput(Case c, @TempDir Path dir) throws IOException {
    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>();
    for (String a : c.args()) {
      args.add(a.startsWith("{") ? in(a.substring(1, a.length() - 1)).toString() : a);
    }
    args.addAll(List.of("--out", out.toString()));
    args.addAll(List.of("--master", "local[2]"));
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).as("exit code; stdout:%n%s%nstderr:%n%s", run.out(), run.err())
        .isEqualTo(2);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ");
    for (String fragment : c.expected()) {
      assertThat(run.err()).contains(fragment);
    }
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("nothing written next to the output").isEmpty();
    }
  }

  @Test
  void nonFiniteInputsPassWithAllowNonfinite(@TempDir Path dir) {
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("backward", "--x", in("X-nan.npy").toString(), "--w",
        in("W.npy").toString(), "--loss", "sum", "--allow-nonfinite", "--out", out.toString(),
        "--master", "local[2]");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(E2eFiles.report(out).get("allFinite").asBoolean()).isFalse();
    double[][] dw = E2eFiles.readMatrix(out.resolve("dW.npy"));
    // loss sum: G = 1, dW = Xᵀ1; row 1 of dW sums column 1 of X, which holds the NaN
    assertThat(dw[1][0]).isNaN();
    double column0 = 0;
    for (double[] row : x) {
      column0 += row[0];
    }
    assertThat(dw[0][0]).isCloseTo(column0, Offset.offset(1e-12));
  }

  @Test
  void gradientsThatOverflowFailTheJobAndWriteNothing(@TempDir Path dir) {
    double[][] huge = new double[N][D];
    for (double[] row : huge) {
      Arrays.fill(row, 1e308);
    }
    npy(dir.resolve("huge.npy"), huge);
    Path out = dir.resolve("out");
    CliRun run = CliRun.of("backward", "--x", dir.resolve("huge.npy").toString(), "--w",
        in("W.npy").toString(), "--loss", "mean", "--out", out.toString(), "--master",
        "local[2]");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: The gradients are not finite: ")
        .contains("Nothing was written").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }
}
