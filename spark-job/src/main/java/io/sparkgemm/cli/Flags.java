package io.sparkgemm.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The library's parameter names and the flags that set them. Library errors name parameters
 * (a Pipeline user who called {@code setStepSize(-1)} never typed {@code --lr}); the command
 * line prints them with its flags instead, so {@code blockRows must be >= 1} reads
 * {@code --block-rows must be >= 1}. This table is the one place the two vocabularies meet.
 */
final class Flags {
  static final Map<String, String> BY_PARAMETER = new LinkedHashMap<>();

  static {
    // input (InputSpec, CsvFormat)
    BY_PARAMETER.put("featuresCol", "--features-col");
    BY_PARAMETER.put("featuresCols", "--features-cols");
    BY_PARAMETER.put("idCol", "--id-col");
    BY_PARAMETER.put("labelsCol", "--labels-col");
    BY_PARAMETER.put("labelsPath", "--labels");
    BY_PARAMETER.put("upstreamPath", "--upstream");
    BY_PARAMETER.put("upstreamCol", "--upstream-col");
    BY_PARAMETER.put("blockRows", "--block-rows");
    BY_PARAMETER.put("partitions", "--partitions");
    BY_PARAMETER.put("allowNonFinite", "--allow-nonfinite");
    BY_PARAMETER.put("storageLevel", "--storage-level");
    BY_PARAMETER.put("csvHeader", "--header");
    BY_PARAMETER.put("csvSeparator", "--csv-sep");
    // pass (PassSpec)
    BY_PARAMETER.put("treeDepth", "--tree-depth");
    BY_PARAMETER.put("shardThreshold", "--shard-threshold");
    // training (TrainSpec, SolveJob, Checkpoints)
    BY_PARAMETER.put("learningRate", "--lr");
    BY_PARAMETER.put("momentum", "--momentum");
    BY_PARAMETER.put("nesterov", "--nesterov");
    BY_PARAMETER.put("regParam", "--reg");
    BY_PARAMETER.put("maxIter", "--max-iter");
    BY_PARAMETER.put("tol", "--tol");
    BY_PARAMETER.put("lbfgsMemory", "--lbfgs-memory");
    BY_PARAMETER.put("resumeDir", "--resume");
    BY_PARAMETER.put("checkpointDir", "--checkpoint-dir");
    BY_PARAMETER.put("checkpointEvery", "--checkpoint-every");
    BY_PARAMETER.put("batchRows", "--batch-rows");
    BY_PARAMETER.put("epochs", "--epochs");
    BY_PARAMETER.put("beta1", "--beta1");
    BY_PARAMETER.put("beta2", "--beta2");
    BY_PARAMETER.put("epsilon", "--epsilon");
    BY_PARAMETER.put("weightDecay", "--weight-decay");
    BY_PARAMETER.put("lrSchedule", "--lr-schedule");
    BY_PARAMETER.put("warmupSteps", "--warmup-steps");
    BY_PARAMETER.put("lrStepEvery", "--lr-step-every");
    BY_PARAMETER.put("lrGamma", "--lr-gamma");
    BY_PARAMETER.put("lrMin", "--lr-min");
    BY_PARAMETER.put("hiddenSizes", "--hidden");
    // generated data (GenerateSpec)
    BY_PARAMETER.put("numRows", "--rows");
    BY_PARAMETER.put("numFeatures", "--features");
    BY_PARAMETER.put("numOutputs", "--outputs");
    BY_PARAMETER.put("noiseStd", "--noise");
    // output (OutputPaths, OutputDir)
    BY_PARAMETER.put("outputDir", "--out");
    BY_PARAMETER.put("overwrite", "--overwrite");
  }

  /**
   * A parameter name standing alone: not part of a longer word, a file name, a path, a quoted
   * value (column names and paths come quoted or slashed) or a flag already.
   */
  private static final Pattern NAME = Pattern.compile("(?<![\\w./\\\\'-])("
      + String.join("|", BY_PARAMETER.keySet()) + ")(?![\\w/\\\\'-]|\\.\\w)");

  private Flags() {
  }

  /** {@code message} with each parameter name replaced by its flag. */
  static String inFlags(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = NAME.matcher(message);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(BY_PARAMETER.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
