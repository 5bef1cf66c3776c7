package io.sparkgemm.cli;

import io.sparkgemm.local.npy.NpyLayout;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.train.MemoryCheck;
import io.sparkgemm.spark.train.TrainSpec;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * train's {@link MemoryCheck} as early as its numbers are known: before Spark starts when X is
 * a .npy file (its header gives n and d) and k is known (--outputs, --w, a checkpoint, or the
 * targets' header); once the class labels are counted (a Spark job over the labels alone)
 * before X is read; else once X is blocked, before θ exists.
 */
final class TrainMemory {
  private TrainMemory() {
  }

  /**
   * @param outputs k, or null when it is not known before X is read
   * @param targets a .npy file of targets whose width is k when {@code outputs} is null, or null
   */
  static void beforeSpark(JobOptions job, InputSpec input, TrainSpec train, Integer outputs,
      String targets) {
    if (!InputSpec.formatOf(input.x(), input.format()).equals("npy")) {
      return;
    }
    NpyLayout x = header(input.x());
    Integer k = outputs;
    if (k == null && targets != null && targets.endsWith(".npy")) {
      NpyLayout t = header(targets);
      k = t == null ? null : t.cols();
    }
    if (x == null || x.ndim() != 2 || x.rows() < 1 || x.cols() < 1 || k == null || k < 1) {
      return; // the loader names what is wrong with the files
    }
    MemoryCheck.require(train, x.cols(), k, new MemoryCheck.Data(x.rows(), input.partitions(),
        input.effectiveBlockRows(x.cols())), MemoryCheck.Budget.of(job.spark.master));
  }

  /** Once X is blocked: its rows, partitions and block size are known. */
  static void afterLoading(JobOptions job, BlockedInput input, TrainSpec train, int outputs) {
    MemoryCheck.require(train, input.numFeatures(), outputs, new MemoryCheck.Data(
        input.numRows(), input.numPartitions(), input.blockRows()),
        MemoryCheck.Budget.of(job.spark.master));
  }

  /** A .npy file's layout from its header, or null when it cannot be read here. */
  private static NpyLayout header(String file) {
    try {
      Path path = new Path(file);
      FileSystem fs = path.getFileSystem(OutputPaths.hadoopConf());
      try (FSDataInputStream in = fs.open(path)) {
        return NpyLayout.read(in::readFully, fs.getFileStatus(path).getLen(), file);
      }
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }
}
