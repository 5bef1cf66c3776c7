package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.spark.block.CacheLevel;
import io.sparkgemm.spark.input.CsvFormat;
import io.sparkgemm.spark.input.InputFiles;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.block.LabelKind;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options that say where X is and how it is read, blocked and cached: shared by every command
 * that reads an input (forward, backward and train through {@link JobOptions}, solve directly).
 */
class InputOptions {

  @Option(names = "--partitions", descriptionKey = "partitions",
      defaultValue = InputSpec.PARTITIONS, paramLabel = "N",
      description = "Partitions of the cached blocks; 0 keeps the input's. Default: "
          + "${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--block-rows", descriptionKey = "blockRows",
      defaultValue = InputSpec.BLOCK_ROWS, paramLabel = "N",
      description = "Rows per dense block; 0 picks about 4 MB of X per block. Default: "
          + "${DEFAULT-VALUE}.")
  int blockRows;

  @Option(names = "--x", paramLabel = "PATH",
      description = "X, n x d: Parquet, CSV, libsvm or .npy (by extension, or --format).")
  String x;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "Format of --x: parquet, csv, libsvm or npy.")
  String format;

  @Option(names = "--header", descriptionKey = "csvHeader",
      paramLabel = "true|false|auto", defaultValue = CsvFormat.HEADER,
      description = "Whether the first line of a CSV --x or --upstream holds column names. auto: "
          + "yes when a cell is not a number; with numbers only, decided from the lines below "
          + "(refused, asking for true or false, when they cannot tell). Default: "
          + "${DEFAULT-VALUE}.")
  String header;

  @Option(names = "--csv-sep", descriptionKey = "csvSeparator", paramLabel = "SEP",
      description = "Cell separator of a CSV --x or --upstream (e.g. ';' or '\\t'). "
          + "Default: ','.")
  String csvSep;

  @Option(names = "--features-col", descriptionKey = "featuresCol", paramLabel = "COL",
      description = "Column holding the features (array<double>, array<float> or an MLlib "
          + "vector). Default: 'features' if present, else every numeric column not used "
          + "otherwise.")
  String featuresCol;

  @Option(names = "--features-cols", descriptionKey = "featuresCols",
      split = ",", paramLabel = "COL",
      description = "Numeric columns that together are the features, comma-separated.")
  List<String> featuresCols;

  @Option(names = "--id-col", descriptionKey = "idCol", paramLabel = "COL",
      description = "Column of unique integer row ids, which name the output rows; a G with "
          + "this column is matched by id, .npy labels and G (and G without it) by row index. "
          + "Default: rows numbered from 0 in input order.")
  String idCol;

  @Option(names = "--allow-nonfinite", descriptionKey = "allowNonFinite",
      description = "Let NaN and ±Inf in X, W, b, labels and G through (they are refused by "
          + "default, naming the first offending row and column).")
  boolean allowNonFinite;

  @Option(names = "--deterministic",
      description = "Results independent of the partitioning: blocks cut at multiples of "
          + "--block-rows by row id, summed in fixed chunks of " + InputSpec.BLOCKS_PER_CHUNK
          + " blocks, chunks reduced in a fixed tree by chunk index.")
  boolean deterministic;

  @Option(names = "--storage-level", descriptionKey = "storageLevel", paramLabel = "LEVEL",
      converter = Choices.StorageLevels.class,
      completionCandidates = Choices.StorageLevels.class,
      description = "How the blocks are cached: MEMORY_AND_DISK (what does not fit in memory "
          + "goes to local disk), MEMORY_AND_DISK_SER, DISK_ONLY, MEMORY_ONLY or MEMORY_ONLY_SER "
          + "(blocks that do not fit are read again from the input at every pass). Default: "
          + "MEMORY_ONLY for a .npy X (reading its rows again is faster than local disk), "
          + "MEMORY_AND_DISK for Parquet and CSV.")
  CacheLevel storageLevel;

  /** Checks the input options before Spark starts; fails with exit code 2 on bad usage. */
  void validateInput() {
    requireX();
    csvFormat();
    InputFiles.requireFileOrFolder("--x", x);
    InputFiles.requireExists(x, OutputPaths.hadoopConf());
  }

  private void requireX() {
    if (x == null) {
      throw new IllegalArgumentException("Missing --x PATH (the input X)");
    }
  }

  CsvFormat csvFormat() {
    return new CsvFormat(CsvFormat.Header.parse(header), csvSep);
  }

  /**
   * Where X and, row-aligned with it, the labels or the upstream gradient come from.
   *
   * @param numClasses with class labels, k to check them against as they are read; 0 not to
   */
  InputSpec spec(LabelKind kind, String labelsCol, String labelsPath, String upstream,
      String upstreamCol, DType dtype, int numClasses) {
    requireX();
    InputSpec.Builder spec = InputSpec.builder(x).format(format).featuresCol(featuresCol)
        .featuresCols(featuresCols).idCol(idCol).labels(kind, labelsCol, labelsPath)
        .dtype(dtype).blockRows(blockRows).partitions(partitions)
        .allowNonFinite(allowNonFinite).deterministic(deterministic).storageLevel(storageLevel)
        .csv(csvFormat()).numClasses(numClasses);
    if (kind == LabelKind.UPSTREAM) {
      spec.upstream(upstream, upstreamCol);
    }
    return spec.build();
  }
}
