package io.sparkgemm.cli;

import picocli.CommandLine.Option;

/** Where the labels come from, for the commands that need them (backward, train, solve). */
final class LabelOptions {
  @Option(names = "--labels-col", descriptionKey = "labelsCol", paramLabel = "COL",
      description = "Targets (mse: a number, an array or a vector) or class ids (softmax-ce), "
          + "in X's dataset.")
  String labelsCol;

  @Option(names = "--labels", descriptionKey = "labelsPath", paramLabel = "L.npy",
      description = "Targets (n or n x k floats) or class ids (n int32/int64), by row index.")
  String labels;

  boolean given() {
    return labels != null || labelsCol != null;
  }

  /** The labels' source as report.json names it. */
  String describe() {
    return labels != null ? labels : "column " + labelsCol;
  }
}
