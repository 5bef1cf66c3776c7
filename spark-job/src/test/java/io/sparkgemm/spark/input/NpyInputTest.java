package io.sparkgemm.spark.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.block.LabeledBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * .npy inputs read by the executors, a range of rows per partition: blocks cut every blockRows
 * rows from row 0 and handed out as {@code parallelize} slices a list of blocks, Fortran-order
 * files equal to their C-order twins, and no task that carries data.
 */
class NpyInputTest {
  @TempDir
  static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("NpyInputTest")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /** v(r, c) = r * 8 + c / 4: exact in float32 for the rows used here. */
  static double v(long r, int c) {
    return r * 8 + c / 4.0;
  }

  /** A rows x cols .npy of f(r, c) in the given descr ({@code <f8}, {@code >f4}, ...) and order. */
  static Path npy(String name, String descr, boolean fortran, int rows, int cols,
      ValueAt f) throws IOException {
    int size = descr.charAt(2) - '0';
    ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': (" + rows + (cols < 0 ? ",)" : ", " + cols + ")") + ", }";
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    int width = Math.max(1, cols);
    ByteBuffer out = ByteBuffer.allocate(10 + header.length() + rows * width * size);
    out.order(ByteOrder.LITTLE_ENDIAN).put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
        .putShort((short) header.length()).put(header.toString()
        .getBytes(StandardCharsets.ISO_8859_1));
    out.order(order);
    for (int i = 0; i < rows * width; i++) {
      int r = fortran ? i % rows : i / width;
      int c = fortran ? i / rows : i % width;
      double value = f.at(r, c);
      switch (descr.substring(1)) {
        case "f8": out.putDouble(value); break;
        case "f4": out.putFloat((float) value); break;
        case "i8": out.putLong((long) value); break;
        default: out.putInt((int) value); break;
      }
    }
    Path file = dir.resolve(name);
    Files.write(file, out.array());
    return file;
  }

  interface ValueAt {
    double at(int r, int c);
  }

  private static List<List<LabeledBlock>> partitions(BlockedInput input) {
    return input.blocks().glom().collect();
  }

  @Test
  void blocksAreCutFromRowZeroAndHandedOutAsParallelizeSlicesAList() throws IOException {
    int n = 103;
    int blockRows = 10;
    Path x = npy("cuts.npy", "<f8", false, n, 3, NpyInputTest::v);
    Path labels = npy("cuts-labels.npy", "<i4", false, n, -1, (r, c) -> r % 5);
    for (int p : new int[] {1, 3, 4, 11, 20}) {
      InputSpec spec = InputSpec.builder(x.toString()).blockRows(blockRows).partitions(p)
          .labels(LabelKind.CLASSES, null, labels.toString()).numClasses(5).build();
      BlockedInput input = InputLoader.load(spark, spec);
      try {
        // the oracle: Spark's own slicing of the list of block indices into p partitions
        List<List<Long>> expected = JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(LongStream.range(0, 11).boxed().toList(), p).glom().collect();
        List<List<LabeledBlock>> actual = partitions(input);
        assertThat(actual).as("partitions").hasSize(p);
        for (int i = 0; i < p; i++) {
          List<Long> first = new ArrayList<>();
          for (LabeledBlock b : actual.get(i)) {
            first.add(b.x().rowId(0) / blockRows);
            assertThat(b.x().rowId(0) % blockRows).isZero();
            assertThat(b.numRows()).isEqualTo((int) Math.min(blockRows, n - b.x().rowId(0)));
            for (int r = 0; r < b.numRows(); r++) {
              long id = b.x().rowId(r);
              assertThat(id).isEqualTo(b.x().rowId(0) + r);
              assertThat(b.classes()[r]).isEqualTo(id % 5);
              for (int c = 0; c < 3; c++) {
                assertThat(b.x().get(r, c)).isEqualTo(v(id, c));
              }
            }
          }
          assertThat(first).as("blocks of partition %d of %d", i, p).isEqualTo(expected.get(i));
        }
      } finally {
        input.release();
      }
    }
  }

  /**
   * Without a partition count: one partition per core, or X's size over Spark's file split size
   * when that is more (a pass holds a partition's blocks).
   */
  @Test
  void aLargeXGetsAPartitionPerFileSplit() throws IOException {
    Path x = npy("splits.npy", "<f8", false, 4000, 100, NpyInputTest::v);
    String key = "spark.sql.files.maxPartitionBytes";
    for (long splitBytes : new long[] {100_000, 1_100_000, 1L << 30}) {
      spark.conf().set(key, Long.toString(splitBytes));
      try {
        BlockedInput input = InputLoader.load(spark, InputSpec.builder(x.toString())
            .blockRows(100).build());
        // 3,200,000 bytes: 32 splits of 100 kB (of the 40 blocks); 3 splits of 1.1 MB make 4
        // partitions, two waves of tasks on the 2 cores; one split, the 2 cores
        assertThat(input.numPartitions()).as("split of %d bytes", splitBytes)
            .isEqualTo(splitBytes == 100_000 ? 32 : splitBytes == 1_100_000 ? 4 : 2);
        assertThat(input.numRows()).isEqualTo(4000);
        input.release();
      } finally {
        spark.conf().unset(key);
      }
    }
  }

  /** Splits rounded up to whole waves of tasks on the cores, at most one per block. */
  @Test
  void defaultPartitionsFillEveryWaveOfTasks() {
    long mb = 1L << 20;
    assertThat(NpyInput.defaultPartitions(376 * mb, 128 * mb, 2, 1000)).isEqualTo(4);
    assertThat(NpyInput.defaultPartitions(1600 * mb, 128 * mb, 2, 1000)).isEqualTo(14);
    assertThat(NpyInput.defaultPartitions(1600 * mb, 128 * mb, 8, 1000)).isEqualTo(16);
    assertThat(NpyInput.defaultPartitions(mb, 128 * mb, 2, 1000)).isEqualTo(2);
    assertThat(NpyInput.defaultPartitions(376 * mb, 128 * mb, 2, 3)).isEqualTo(3);
    assertThat(NpyInput.defaultPartitions(10, 128 * mb, 4, 1)).isEqualTo(1);
  }

  /** A Fortran-order X (and G or targets) gives the blocks of its C-order twin. */
  @ParameterizedTest
  @CsvSource({"<f8, FLOAT64, UPSTREAM", ">f8, FLOAT32, TARGETS", "<f4, FLOAT64, TARGETS",
      ">f4, FLOAT32, UPSTREAM"})
  void fortranOrderGivesTheBlocksOfItsCOrderTwin(String descr, DType dtype, LabelKind kind)
      throws IOException {
    int n = 77;
    int d = 5;
    int k = 3;
    String tag = descr.replace('<', 'l').replace('>', 'b') + dtype + kind;
    List<List<List<Double>>> seen = new ArrayList<>();
    for (boolean fortran : new boolean[] {false, true}) {
      String name = tag + (fortran ? "-f" : "-c");
      Path x = npy(name + "-x.npy", descr, fortran, n, d, NpyInputTest::v);
      Path g = npy(name + "-g.npy", descr, fortran, n, k, (r, c) -> r - c * 0.5);
      InputSpec.Builder b = InputSpec.builder(x.toString()).blockRows(8).partitions(3)
          .dtype(dtype);
      b = kind == LabelKind.UPSTREAM ? b.upstream(g.toString(), null)
          : b.labels(kind, null, g.toString());
      BlockedInput input = InputLoader.load(spark, b.build());
      try {
        List<List<Double>> values = new ArrayList<>();
        for (List<LabeledBlock> part : partitions(input)) {
          List<Double> v = new ArrayList<>();
          for (LabeledBlock block : part) {
            for (int r = 0; r < block.numRows(); r++) {
              long id = block.x().rowId(r);
              v.add((double) id);
              for (int c = 0; c < d; c++) {
                assertThat(block.x().get(r, c)).as("X(%d, %d)", id, c).isEqualTo(v(id, c));
                v.add(block.x().get(r, c));
              }
              var labels = kind == LabelKind.UPSTREAM ? block.upstream() : block.targets();
              for (int c = 0; c < k; c++) {
                assertThat(labels.get(r, c)).as("label(%d, %d)", id, c).isEqualTo(id - c * 0.5);
                v.add(labels.get(r, c));
              }
            }
          }
          values.add(v);
        }
        seen.add(values);
      } finally {
        input.release();
      }
    }
    assertThat(seen.get(1)).as("Fortran order against C order").isEqualTo(seen.get(0));
  }

  /** A .npy X of 3.2 MB in 2 partitions: each task carries a row range, not 1.6 MB of rows. */
  @Test
  void noTaskOfVeryLargeSizeForANpyX() throws IOException {
    Path x = npy("big-x.npy", "<f8", false, 4000, 100, NpyInputTest::v);
    InputSpec spec = InputSpec.builder(x.toString()).partitions(2).build();
    LargeTasks warnings = LargeTasks.attach();
    try {
      BlockedInput input = InputLoader.load(spark, spec);
      assertThat(input.numRows()).isEqualTo(4000);
      input.release();
    } finally {
      warnings.detach();
    }
    assertThat(warnings.lines).isEmpty();
  }

  /**
   * 150,000 .npy class labels with a Parquet X, joined by a shuffle (broadcasts off): the labels
   * are read by the executors, not held on the driver and sliced into tasks (1.8 MB a task).
   */
  @Test
  void noTaskOfVeryLargeSizeForNpyLabelsWithAParquetX() throws IOException {
    int n = 150_000;
    Path labels = npy("big-labels.npy", "<i8", false, n, -1, (r, c) -> r % 7);
    List<Row> rows = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      rows.add(RowFactory.create((Object) new double[] {r, 1}));
    }
    StructType schema = new StructType().add("features",
        DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    Path x = dir.resolve("x.parquet");
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(x.toString());
    String threshold = "spark.sql.autoBroadcastJoinThreshold";
    spark.conf().set(threshold, "-1");
    LargeTasks warnings = LargeTasks.attach();
    try {
      InputSpec spec = InputSpec.builder(x.toString()).partitions(2)
          .labels(LabelKind.CLASSES, null, labels.toString()).numClasses(7).build();
      BlockedInput input = InputLoader.load(spark, spec);
      try {
        // every row with its own label: X row (r, 1) goes with label r % 7
        long mismatched = input.blocks().map(b -> {
          long bad = 0;
          for (int r = 0; r < b.numRows(); r++) {
            long row = (long) b.x().get(r, 0);
            bad += b.classes()[r] == row % 7 && b.x().rowId(r) == row ? 0 : 1;
          }
          return bad;
        }).reduce(Long::sum);
        assertThat(input.numRows()).isEqualTo(n);
        assertThat(mismatched).isZero();
      } finally {
        input.release();
      }
    } finally {
      warnings.detach();
      spark.conf().unset(threshold);
    }
    assertThat(warnings.lines).isEmpty();
  }

  /** Spark's warning of a task of very large size, while attached. */
  private static final class LargeTasks extends AbstractAppender {
    final List<String> lines = new CopyOnWriteArrayList<>();

    private LargeTasks() {
      super("large-tasks", null, null, true, Property.EMPTY_ARRAY);
    }

    static LargeTasks attach() {
      LargeTasks appender = new LargeTasks();
      appender.start();
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      context.getConfiguration().getRootLogger().addAppender(appender, Level.WARN, null);
      context.updateLoggers();
      return appender;
    }

    void detach() {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      context.getConfiguration().getRootLogger().removeAppender(getName());
      context.updateLoggers();
      stop();
    }

    @Override
    public void append(LogEvent event) {
      String message = event.getMessage().getFormattedMessage();
      if (message.contains("very large size")) {
        lines.add(event.getLoggerName() + ": " + message);
      }
    }
  }
}
