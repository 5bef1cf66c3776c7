package io.sparkgemm.spark.data;

import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.LinearKernels;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.local.npy.NpyDType;
import io.sparkgemm.spark.output.NpyRowFile;
import io.sparkgemm.spark.output.OutputDir;
import io.sparkgemm.spark.output.Report;
import io.sparkgemm.spark.output.RowOutputs;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Writes a {@link GenerateSpec} dataset into a folder (all or nothing):
 * <pre>
 *   parquet  X.parquet/  columns id, features array&lt;double&gt;,
 *                        targets array&lt;double&gt; | label int
 *   csv      X.csv/      one file, columns f0..f(d-1) [, label]; regression targets in targets.npy
 *   npy      X.npy, targets.npy (n x k) | labels.npy (n, int32)
 *   all      W_true.npy, b_true.npy (with a teacher: W0_true, b0_true, W1_true, b1_true),
 *            report.json
 *   holdout  the same files of the held-out rows, named X_test.npy, labels_test.npy, ...
 * </pre>
 */
public final class Generator {
  private static final int CHUNK_ROWS = 4096;

  private Generator() {
  }

  public static Report generate(SparkSession spark, GenerateSpec spec) {
    OutputDir dir = OutputDir.create(spec.out(), spec.overwrite(),
        spark.sparkContext().hadoopConfiguration());
    try (dir) {
      long start = System.nanoTime();
      Truth truth = Truth.draw(spec);
      Map<String, Object> truthFiles = truth.write(dir);
      Report report = new Report();
      report.put("command", "generate");
      report.put("rows", spec.rows());
      report.put("features", spec.features());
      report.put("outputs", spec.outputs());
      report.put("task", spec.task());
      report.put("seed", spec.seed());
      report.put("noise", spec.noise());
      if (spec.teacherHidden() > 0) {
        report.put("teacher", spec.features() + "-" + spec.teacherHidden() + "(relu)-"
            + spec.outputs());
      }
      Map<String, Object> files = report.section("files");
      files.putAll(truthFiles);
      List<Rows> parts = new ArrayList<>(List.of(new Rows(0, spec.rows(), "")));
      if (spec.holdoutRows() > 0) {
        report.put("holdoutRows", spec.holdoutRows());
        parts.add(new Rows(spec.rows(), spec.holdoutRows(), "_test"));
      }
      for (Rows part : parts) {
        if (spec.format().equals("npy")) {
          writeNpy(spark, spec, truth, dir, files, part, true);
        } else {
          writeDataset(spark, spec, truth, dir, files, part);
        }
      }
      report.put("seconds", (System.nanoTime() - start) / 1e9);
      report.write(dir);
      dir.commit();
      return report;
    }
  }

  /**
   * The true function: {@code F = X W₀ + b₀} (w1 null), or the teacher network
   * {@code F = relu(X W₀ + b₀) W₁ + b₁}.
   */
  record Truth(DenseBlock w0, double[] b0, DenseBlock w1, double[] b1) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Drawn from the spec's seed: W, then b (linear), or W₀, W₁, b₁ (teacher; b₀ = 0). */
    static Truth draw(GenerateSpec spec) {
      Random random = new Random(spec.seed());
      int d = spec.features();
      int k = spec.outputs();
      int h = spec.teacherHidden();
      if (h == 0) {
        DenseBlock w = gaussian(random, d, k);
        return new Truth(w, gaussianBias(random, k), null, null);
      }
      DenseBlock w0 = gaussian(random, d, h);
      DenseBlock w1 = gaussian(random, h, k);
      return new Truth(w0, new double[h], w1, gaussianBias(random, k));
    }

    /** rows x cols, N(0, 1/rows) entries. */
    private static DenseBlock gaussian(Random random, int rows, int cols) {
      double[] w = new double[rows * cols];
      for (int i = 0; i < w.length; i++) {
        w[i] = random.nextGaussian() / Math.sqrt(rows);
      }
      return DenseBlock.ofDoubles(rows, cols, w);
    }

    private static double[] gaussianBias(Random random, int k) {
      double[] b = new double[k];
      for (int j = 0; j < k; j++) {
        b[j] = 0.5 * random.nextGaussian();
      }
      return b;
    }

    /** Writes the truth's arrays; returns their report entries. */
    Map<String, Object> write(OutputDir dir) {
      Map<String, Object> files = new LinkedHashMap<>();
      if (w1 == null) {
        put(dir, files, "W_true", NpyArray.of(w0));
        put(dir, files, "b_true", NpyArray.ofVector(b0));
      } else {
        put(dir, files, "W0_true", NpyArray.of(w0));
        put(dir, files, "b0_true", NpyArray.ofVector(b0));
        put(dir, files, "W1_true", NpyArray.of(w1));
        put(dir, files, "b1_true", NpyArray.ofVector(b1));
      }
      return files;
    }

    private static void put(OutputDir dir, Map<String, Object> files, String name,
        NpyArray array) {
      RowOutputs.writeNpy(dir, name + ".npy", array);
      files.put(name, name + ".npy");
    }

    /** F for the rows of x. */
    double[] apply(DenseBlock x) {
      LinearKernels kernels = new LinearKernels(Backends.select(BackendOptions.defaults()));
      DenseBlock f = kernels.forward(x, w0, b0);
      if (w1 == null) {
        return f.doubles();
      }
      double[] hidden = f.doubles();
      for (int i = 0; i < hidden.length; i++) {
        hidden[i] = Math.max(0.0, hidden[i]);
      }
      return kernels.forward(f, w1, b1).doubles();
    }
  }

  /** Rows [start, start + count): X and its label values (targets or class ids). */
  static Chunk chunk(GenerateSpec spec, Truth truth, long start, int count) {
    int d = spec.features();
    int k = spec.outputs();
    double[] x = new double[count * d];
    for (int r = 0; r < count; r++) {
      SplittableRandom rowRandom = new SplittableRandom(spec.seed() * 0x9E3779B97F4A7C15L
          + start + r);
      for (int c = 0; c < d; c++) {
        x[r * d + c] = rowRandom.nextGaussian();
      }
    }
    double[] y = truth.apply(DenseBlock.ofDoubles(count, d, x));
    if (spec.regression()) {
      SplittableRandom noise = new SplittableRandom(~spec.seed() + start);
      for (int i = 0; i < y.length; i++) {
        y[i] += spec.noise() * noise.nextGaussian();
      }
      return new Chunk(x, y, null);
    }
    int[] labels = new int[count];
    for (int r = 0; r < count; r++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (y[r * k + j] > y[r * k + best]) {
          best = j;
        }
      }
      labels[r] = best;
    }
    return new Chunk(x, null, labels);
  }

  /** Generated rows: X (rows x d) and targets (rows x k) or labels (rows). */
  record Chunk(double[] x, double[] targets, int[] labels) {
  }

  /**
   * Rows [first, first + n) as X{suffix}.npy and targets{suffix}.npy or labels{suffix}.npy (or,
   * for csv, targets{suffix}.npy alone), written by the executors ({@link NpyRowFile}). Each
   * partition generates whole chunks of {@code CHUNK_ROWS} rows counted from the part's first
   * row, the chunks the driver once generated, so the files hold the same values whatever the
   * partitioning.
   */
  private static void writeNpy(SparkSession spark, GenerateSpec spec, Truth truth,
      OutputDir dir, Map<String, Object> files, Rows part, boolean withX) {
    List<String> stems = new ArrayList<>();
    if (withX) {
      stems.add("X");
    }
    stems.add(spec.regression() ? "targets" : "labels");
    List<String> names = stems.stream().map(stem -> part.name(stem, ".npy")).toList();
    dir.write(names, paths -> {
      try {
        writeNpy(spark, spec, truth, dir.conf(), part, withX, paths);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + String.join(", ", names), e);
      }
    });
    for (int i = 0; i < stems.size(); i++) {
      files.put(stems.get(i) + part.suffix(), names.get(i));
    }
  }

  /** The job behind {@link #writeNpy}: {@code paths} are the staged X (if withX) and labels. */
  private static void writeNpy(SparkSession spark, GenerateSpec spec, Truth truth,
      Configuration conf, Rows part, boolean withX, List<String> paths) throws IOException {
    int n = Math.toIntExact(part.count());
    NpyRowFile x = withX ? NpyRowFile.create(conf, paths.get(0), NpyDType.FLOAT64, n,
        spec.features()) : null;
    NpyRowFile labels = NpyRowFile.create(conf, paths.get(paths.size() - 1),
        spec.regression() ? NpyDType.FLOAT64 : NpyDType.INT32, n,
        spec.regression() ? spec.outputs() : 0);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long chunks = (n + CHUNK_ROWS - 1) / CHUNK_ROWS;
    long partitions = Math.min(chunks, partitions(jsc, spec, n));
    List<long[]> ranges = new ArrayList<>();
    for (long p = 0; p < partitions; p++) {
      ranges.add(new long[] {chunks * p / partitions * CHUNK_ROWS,
          Math.min(n, chunks * (p + 1) / partitions * CHUNK_ROWS)});
    }
    Broadcast<SerializableConfiguration> taskConf = jsc.broadcast(
        new SerializableConfiguration(conf));
    spark.sparkContext().setJobDescription("spark-gemm generate: " + n + " x "
        + spec.features() + " rows as .npy");
    try {
      // one range per partition: parallelize gives slice i exactly element i
      jsc.parallelize(ranges, (int) partitions).foreachPartition(it -> {
        long[] range = it.next();
        Configuration c = taskConf.value().value();
        try (NpyRowFile.Sink xs = x == null ? null : x.open(c);
            NpyRowFile.Sink ls = labels.open(c)) {
          for (long start = range[0]; start < range[1]; start += CHUNK_ROWS) {
            int count = (int) Math.min(CHUNK_ROWS, range[1] - start);
            Chunk chunk = chunk(spec, truth, part.first() + start, count);
            if (xs != null) {
              xs.write(start, chunk.x(), 0, count);
            }
            if (chunk.targets() != null) {
              ls.write(start, chunk.targets(), 0, count);
            } else {
              ls.write(start, chunk.labels(), 0, count);
            }
          }
        }
      });
      if (x != null) {
        x.finish(conf);
      }
      labels.finish(conf);
    } finally {
      taskConf.destroy();
    }
  }

  /** Partitions to generate {@code n} rows with: as asked, else 64 MB of X each (or a core). */
  private static int partitions(JavaSparkContext jsc, GenerateSpec spec, long n) {
    return spec.partitions() > 0 ? spec.partitions()
        : (int) Math.max(jsc.defaultParallelism(),
            Math.min(10_000, n * spec.features() * 8 / (64L << 20) + 1));
  }

  /**
   * The rows of one file set: the training rows [0, n) (no suffix) or the held-out rows
   * [n, n + holdout) (suffix {@code _test}), row ids and streams continuing from the first set.
   */
  record Rows(long first, long count, String suffix) implements Serializable {
    private static final long serialVersionUID = 1L;

    String name(String stem, String extension) {
      return stem + suffix + extension;
    }
  }

  private static void writeDataset(SparkSession spark, GenerateSpec spec, Truth truth,
      OutputDir dir, Map<String, Object> files, Rows part) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long n = part.count();
    int partitions = partitions(jsc, spec, n);
    List<long[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      long from = n * p / partitions;
      long to = n * (p + 1) / partitions;
      ranges.add(new long[] {part.first() + from, part.first() + to});
    }
    boolean csv = spec.format().equals("csv");
    JavaRDD<Row> rows = jsc.parallelize(ranges, partitions)
        .flatMap(range -> rows(spec, truth, range[0], range[1], csv));
    spark.sparkContext().setJobDescription("spark-gemm generate: " + n + " x "
        + spec.features() + " rows");
    Dataset<Row> df = spark.createDataFrame(rows, schema(spec, csv));
    if (csv) {
      dir.write(part.name("X", ".csv"), path -> df.coalesce(1).write().option("header", true)
          .csv(path));
      files.put("X" + part.suffix(), part.name("X", ".csv"));
      if (spec.regression()) {
        writeNpy(spark, spec, truth, dir, files, part, false);
      }
    } else {
      dir.write(part.name("X", ".parquet"), path -> df.write().parquet(path));
      files.put("X" + part.suffix(), part.name("X", ".parquet"));
    }
  }

  private static StructType schema(GenerateSpec spec, boolean csv) {
    StructType schema = new StructType();
    if (csv) {
      for (int c = 0; c < spec.features(); c++) {
        schema = schema.add("f" + c, DataTypes.DoubleType, false);
      }
      return spec.regression() ? schema : schema.add("label", DataTypes.IntegerType, false);
    }
    schema = schema.add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return spec.regression()
        ? schema.add("targets", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        : schema.add("label", DataTypes.IntegerType, false);
  }

  /** Rows [from, to), generated a chunk at a time as the writer pulls them. */
  private static Iterator<Row> rows(GenerateSpec spec, Truth truth, long from, long to,
      boolean csv) {
    return new Iterator<>() {
      private long next = from;
      private Chunk chunk;
      private long chunkStart;

      @Override
      public boolean hasNext() {
        return next < to;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        if (chunk == null || next >= chunkStart + CHUNK_ROWS) {
          chunkStart = next;
          chunk = chunk(spec, truth, next, (int) Math.min(CHUNK_ROWS, to - next));
        }
        Row row = row(spec, chunk, (int) (next - chunkStart), next, csv);
        next++;
        return row;
      }
    };
  }

  private static Row row(GenerateSpec spec, Chunk c, int r, long id, boolean csv) {
    int d = spec.features();
    int k = spec.outputs();
    double[] x = Arrays.copyOfRange(c.x(), r * d, (r + 1) * d);
    List<Object> values = new ArrayList<>(d + 2);
    if (csv) {
      for (double v : x) {
        values.add(v);
      }
      if (!spec.regression()) {
        values.add(c.labels()[r]);
      }
    } else {
      values.add(id);
      values.add(x);
      values.add(spec.regression() ? Arrays.copyOfRange(c.targets(), r * k, (r + 1) * k)
          : (Object) c.labels()[r]);
    }
    return RowFactory.create(values.toArray());
  }
}
