package io.sparkgemm.spark.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The file {@value #NAME} that every committed output folder carries, so that overwriting
 * replaces only a previous spark-gemm output: never a file, never a folder of the user's own.
 * Its name starts with '_' so that Spark and Hadoop skip it when the folder is read as data.
 *
 * <p>Folders written before the marker existed (a report.json or model.json, no marker) are not
 * taken as outputs: those names alone are weak evidence, and a wrong guess deletes a user's
 * files. The refusal says so, and the user removes such a folder once by hand.
 */
final class OutputMarker {
  static final String NAME = "_SPARK_GEMM";

  /** What an earlier spark-gemm output holds; named in a refusal as a hint. */
  private static final List<String> EARLIER_OUTPUT_FILES = List.of("report.json", "model.json");

  private OutputMarker() {
  }

  /** What the marker says: that spark-gemm wrote the folder, and which version. */
  static byte[] text() {
    String version = OutputMarker.class.getPackage().getImplementationVersion();
    return ("spark-gemm output (" + (version == null ? "development build" : version)
        + ")\nspark-gemm --overwrite may replace this folder whole; it replaces no folder "
        + "without this file.\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Why the existing {@code target} may not be replaced, or null when it may: a folder that
   * carries the marker, or an empty folder.
   */
  static String refusal(FileSystem fs, Path target) throws IOException {
    FileStatus status = fs.getFileStatus(target);
    if (!status.isDirectory()) {
      return "is a file, not a spark-gemm output folder";
    }
    if (fs.isFile(new Path(target, NAME))) {
      return null;
    }
    FileStatus[] entries = fs.listStatus(target);
    if (entries.length == 0) {
      return null;
    }
    List<String> earlier = new ArrayList<>();
    for (FileStatus entry : entries) {
      if (EARLIER_OUTPUT_FILES.contains(entry.getPath().getName())) {
        earlier.add(entry.getPath().getName());
      }
    }
    return "is not a spark-gemm output (no " + NAME + " marker; it holds " + entries.length
        + (entries.length == 1 ? " entry" : " entries")
        + (earlier.isEmpty() ? "" : ", " + String.join(" and ", earlier) + " among them: "
            + "outputs of spark-gemm before the marker existed are not replaced either")
        + ")";
  }
}
