package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.Init;
import io.sparkgemm.local.WeightInit;
import io.sparkgemm.spark.block.LabelKind;
import io.sparkgemm.spark.input.DriverFiles;
import io.sparkgemm.spark.input.InputFiles;
import io.sparkgemm.spark.input.InputSpec;
import io.sparkgemm.spark.output.OutputPaths;
import io.sparkgemm.spark.train.TrainSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a pass: Spark, input, weights, output. */
public final class JobOptions extends InputOptions {

  @Mixin
  MasterMixin spark;

  @Option(names = "--dtype", defaultValue = DType.DEFAULT_LABEL, paramLabel = "TYPE",
      converter = Choices.DTypes.class, completionCandidates = Choices.DTypes.class,
      description = "Block dtype: float64 or float32 (float32 runs sgemm; sums stay float64). "
          + "Default: ${DEFAULT-VALUE}.")
  DType dtype;

  @Option(names = "--w", paramLabel = "W.npy", description = "Weights W, d x k (.npy). "
      + "train: default zeros, with k from the labels (or --outputs).")
  String w;

  @Option(names = "--b", paramLabel = "b.npy", description = "Bias b, k values (.npy). "
      + "Default: zeros.")
  String b;

  @Option(names = "--init", paramLabel = "SCHEME",
      converter = Choices.InitSchemes.class, completionCandidates = Choices.InitSchemes.class,
      description = "Create W instead of --w: xavier, he or orthogonal (needs --outputs; "
          + "train takes k from the labels without it). train also: auto (he before relu, "
          + "leaky-relu or gelu, else xavier; the default with --hidden) or zeros.")
  String init;

  @Option(names = "--outputs", paramLabel = "K", description = "k, the outputs of a created "
      + "W. train: default the largest class id + 1 (or the label column's numValues), or "
      + "the targets' width.")
  Integer outputs;

  @Option(names = "--seed", defaultValue = TrainSpec.SEED, paramLabel = "S",
      description = "Seed for --init (train: also of the minibatch order). Default: "
          + "${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", descriptionKey = "outputDir",
      paramLabel = "DIR", description = "Output folder (written all or "
      + "nothing).")
  String out;

  @Option(names = "--overwrite", descriptionKey = "overwrite",
      description = "Replace an existing output folder.")
  boolean overwrite;

  @Mixin
  BackendMixin backend;

  /** Checks what can be checked before Spark starts; fails with exit code 2 on bad usage. */
  void validate() {
    validate(false);
  }

  /**
   * As {@link #validate()}.
   *
   * @param outputsFromLabels whether W may be left out (zeros) and k too (train finds it in the
   *     labels)
   */
  void validate(boolean outputsFromLabels) {
    validateInput();
    if (out == null) {
      throw new IllegalArgumentException("Missing --out DIR");
    }
    backend.options();
    if (w == null && init == null && !outputsFromLabels) {
      throw new IllegalArgumentException("Give the weights: --w W.npy, or --init "
          + String.join("|", WeightInit.SCHEMES) + " --outputs K");
    }
    if (w != null && init != null) {
      throw new IllegalArgumentException("Give either --w or --init, not both");
    }
    if ("auto".equals(init) && !outputsFromLabels) {
      throw new IllegalArgumentException("--init auto is train's: expected xavier, he or "
          + "orthogonal");
    }
    if (init != null) {
      if (outputs == null ? !outputsFromLabels : outputs < 1) {
        throw new IllegalArgumentException("--init needs --outputs K with K >= 1, got "
            + outputs);
      }
    }
    if (outputs != null && outputs < 1) {
      throw new IllegalArgumentException("--outputs must be >= 1, got " + outputs);
    }
    if (outputs != null && w == null) {
      requireWeightsFit(-1, outputs);
    }
    if (w != null) {
      InputFiles.requireFileOrFolder("--w", w);
    }
    if (b != null) {
      InputFiles.requireFileOrFolder("--b", b);
    }
    for (String file : new String[] {w, b}) {
      if (file != null && !DriverFiles.exists(file, OutputPaths.hadoopConf())) {
        throw new IllegalArgumentException(file + ": no such file or directory");
      }
    }
    if (w != null) {
      DenseBlock weights = weights(-1);
      if (b != null) {
        bias(weights.numCols());
      }
    }
  }

  DType dtype() {
    return dtype;
  }

  /**
   * Refuses (exit 2, before Spark starts) an --out that is, holds or lies inside an input
   * (--x, --w, --b and {@code more}), the working directory or the checkpoint folder, or that
   * cannot be written.
   *
   * @param more further input options and their paths (null paths are skipped)
   * @param checkpointDir where checkpoints go, or null
   */
  void checkPaths(Map<String, String> more, String checkpointDir) {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("--x", x);
    inputs.put("--w", w);
    inputs.put("--b", b);
    inputs.putAll(more);
    OutputPaths.check(out, overwrite, inputs, checkpointDir, OutputPaths.hadoopConf());
  }

  /**
   * W from --w, or created by --init (zeros without it) for {@code inFeatures} inputs (-1: not
   * yet known) and --outputs outputs.
   */
  DenseBlock weights(int inFeatures) {
    if (w != null) {
      DenseBlock weights = DriverFiles.readNpy(w, OutputPaths.hadoopConf()).toBlock()
          .toDType(DType.FLOAT64);
      if (weights.numRows() < 1 || weights.numCols() < 1) {
        throw new IllegalArgumentException(w + ": W is " + weights.shape() + ", expected d x k "
            + "with d >= 1 inputs and k >= 1 outputs");
      }
      requireFinite(w, "W", weights.doubles(), weights.numCols());
      return weights;
    }
    if (inFeatures > 0) {
      requireWeightsFit(inFeatures, outputs);
    }
    return (init == null ? Init.ZEROS : Init.parse(init)).create(inFeatures, outputs, seed);
  }

  /**
   * Refuses a created W (d x k float64) that cannot be held: more values than one Java array
   * holds, or more than a quarter of the driver's heap (the driver also holds dW, b and the
   * optimizer's copies of them).
   *
   * @param inFeatures d, or -1 while it is not known (W then has at least k values)
   */
  static void requireWeightsFit(long inFeatures, long outFeatures) {
    long values = Math.max(1, inFeatures) * outFeatures;
    long heap = Runtime.getRuntime().maxMemory();
    if (values > Integer.MAX_VALUE - 8 || values * 8 > heap / 4) {
      throw new IllegalArgumentException("--outputs " + outFeatures + " makes W "
          + (inFeatures < 0 ? "d x " + outFeatures + ", at least " : inFeatures + " x "
              + outFeatures + " = ") + values + " values (" + values * 8 / (1 << 20)
          + " MiB as float64): more than " + (values > Integer.MAX_VALUE - 8
              ? "one Java array holds (" + (Integer.MAX_VALUE - 8) + " values)"
              : "a quarter of the driver's heap (" + heap / (1 << 20) + " MiB; the driver also "
                  + "holds dW and the optimizer's copies)")
          + "; use fewer outputs or give the driver more memory (--driver-memory)");
    }
  }

  /** b from --b (must have k values), else zeros. */
  double[] bias(int outFeatures) {
    if (b == null) {
      return new double[outFeatures];
    }
    double[] values = DriverFiles.readNpy(b, OutputPaths.hadoopConf()).toVector();
    requireFinite(b, "b", values, values.length);
    if (values.length != outFeatures) {
      throw new IllegalArgumentException(b + ": b has " + values.length + " values but W has "
          + outFeatures + " outputs (b must have k = " + outFeatures + ")");
    }
    return values;
  }

  /** Refuses NaN and ±Inf in a driver-side array unless --allow-nonfinite. */
  private void requireFinite(String file, String what, double[] values, int cols) {
    if (allowNonFinite) {
      return;
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(file + ": " + what + " has " + values[i] + " at "
            + (what.equals("b") ? "index " + i : "row " + i / cols + ", column " + i % cols)
            + " (non-finite values are refused; pass --allow-nonfinite to let them through)");
      }
    }
  }

  InputSpec input(LabelKind kind, String labelsCol, String labelsPath, String upstream,
      String upstreamCol) {
    // class ids are checked against k = W's columns as they are read, naming their file
    int numClasses = kind != LabelKind.CLASSES ? 0
        : w != null ? weights(-1).numCols() : outputs != null ? outputs : 0;
    return spec(kind, labelsCol, labelsPath, upstream, upstreamCol, dtype(), numClasses);
  }
}
