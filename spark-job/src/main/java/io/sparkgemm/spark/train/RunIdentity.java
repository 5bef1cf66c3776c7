package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.ParamText;
import io.sparkgemm.local.net.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a training run is, recorded in every checkpoint's state.json as {@code "run"}, so that a
 * resume can tell whether it continues the same run. Two parts: {@link #fixed()}, what the
 * checkpoint's θ and optimizer state only make sense with (the data: rows, features, outputs,
 * where X and the labels come from, standardisation; the network, loss and dtype; the optimizer,
 * and for sgd and adam the seed and batchRows that order the minibatches), and
 * {@link #settings()}, what only steers the rest of the training (learning rate, momentum,
 * iterations, epochs, the schedule, ...), which a resume may change.
 *
 * @param fixed name to value; a resume refuses any difference
 * @param settings parameter name (as {@link TrainSpec} names it) to value; a resume reports
 *     the differences
 */
public record RunIdentity(Map<String, Object> fixed, Map<String, Object> settings) {
  /** The rows of a run whose data is not read yet (compared only once it is). */
  public static final long ROWS_UNKNOWN = -1;

  /**
   * Where the data comes from, as the run names it: X (with its feature columns when chosen)
   * and the labels, local paths made absolute so a run from another folder compares equal.
   */
  public record Source(String x, String labels) {
  }

  /**
   * The identity of a run of {@code spec} over {@code network} on {@code numRows} rows
   * ({@link #ROWS_UNKNOWN} before the data is read).
   */
  public static RunIdentity of(Source source, long numRows, Network network, TrainSpec spec,
      boolean standardize) {
    Map<String, Object> fixed = new LinkedHashMap<>();
    if (numRows != ROWS_UNKNOWN) {
      fixed.put("rows", numRows);
    }
    fixed.put("features", network.inFeatures());
    fixed.put("outputs", network.outFeatures());
    fixed.put("X", source.x());
    fixed.put("labels", source.labels());
    fixed.put("standardize", standardize);
    fixed.put("network", network.describe());
    fixed.put("loss", spec.loss().label());
    fixed.put("dtype", spec.dtype().label());
    fixed.put("optimizer", spec.optimizer().label());
    boolean minibatch = spec.optimizer().minibatch();
    if (minibatch) {
      fixed.put("seed", spec.seed());
      fixed.put("batchRows", spec.batchRows());
    }
    return new RunIdentity(fixed, settings(spec));
  }

  private static Map<String, Object> settings(TrainSpec spec) {
    Map<String, Object> s = new LinkedHashMap<>();
    Optimizer optimizer = spec.optimizer();
    s.put("regParam", spec.regParam());
    if (optimizer == Optimizer.LBFGS) {
      s.put("lbfgsMemory", spec.lbfgsMemory());
    } else {
      s.put("learningRate", spec.learningRate());
    }
    if (optimizer == Optimizer.GD || optimizer == Optimizer.SGD) {
      s.put("momentum", spec.momentum());
      s.put("nesterov", spec.nesterov());
    }
    if (!optimizer.minibatch()) {
      s.put("maxIter", spec.maxIter());
      s.put("tol", spec.tol());
      return s;
    }
    s.put("epochs", spec.epochs());
    if (optimizer == Optimizer.ADAM) {
      s.put("beta1", spec.beta1());
      s.put("beta2", spec.beta2());
      s.put("epsilon", spec.epsilon());
    }
    s.put("weightDecay", spec.weightDecay());
    s.put("lrSchedule", spec.lrSchedule().label());
    s.put("warmupSteps", spec.warmupSteps());
    if (spec.lrSchedule() == LrSchedule.STEP) {
      s.put("lrStepEvery", spec.lrStepEvery());
      s.put("lrGamma", spec.lrGamma());
    }
    if (spec.lrSchedule() == LrSchedule.COSINE) {
      s.put("lrMin", spec.lrMin());
    }
    return s;
  }

  /** As state.json holds it: the fixed part with the settings as one more object. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>(fixed);
    m.put("settings", settings);
    return m;
  }

  /**
   * Read back from state.json.
   *
   * @throws IllegalArgumentException if {@code settings} is not an object (the caller names the
   *     file)
   */
  static RunIdentity fromMap(Map<?, ?> map) {
    Map<String, Object> fixed = new LinkedHashMap<>();
    Map<String, Object> settings = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!"settings".equals(e.getKey())) {
        fixed.put(String.valueOf(e.getKey()), e.getValue());
      }
    }
    if (!(map.get("settings") instanceof Map<?, ?> s)) {
      throw new IllegalArgumentException("run.settings is " + map.get("settings")
          + ", expected an object");
    }
    s.forEach((k, v) -> settings.put(String.valueOf(k), v));
    return new RunIdentity(fixed, settings);
  }

  /**
   * How a run differs from the run of a checkpoint; each difference starts with the name of
   * what differs, a parameter of the run.
   *
   * @param refusals the differences a resume cannot continue through, as "rows 800, here 400"
   * @param changes the settings changed, as "learningRate 0.1 -> 0.05"
   */
  public record Comparison(List<ParamText> refusals, List<ParamText> changes) {
    /** The refusals in words. */
    public List<String> refused() {
      return refusals.stream().map(ParamText::toString).toList();
    }

    /** The changes in words. */
    public List<String> changed() {
      return changes.stream().map(ParamText::toString).toList();
    }
  }

  /**
   * This run ({@code now}) against the checkpoint's ({@code this}). Rows are compared only
   * where both know them.
   */
  public Comparison compareTo(RunIdentity now) {
    List<ParamText> refused = new ArrayList<>();
    for (String key : union(fixed, now.fixed)) {
      if (key.equals("rows") && !(fixed.containsKey(key) && now.fixed.containsKey(key))) {
        continue;
      }
      if (!same(fixed.get(key), now.fixed.get(key))) {
        refused.add(ParamText.of(param(key), " " + text(fixed.get(key)) + ", here "
            + text(now.fixed.get(key))));
      }
    }
    List<ParamText> changed = new ArrayList<>();
    for (String key : union(settings, now.settings)) {
      if (!same(settings.get(key), now.settings.get(key))) {
        changed.add(ParamText.of(param(key), " " + text(settings.get(key)) + " -> "
            + text(now.settings.get(key))));
      }
    }
    return new Comparison(refused, changed);
  }

  private static Set<String> union(Map<String, Object> a, Map<String, Object> b) {
    Set<String> keys = new LinkedHashSet<>(a.keySet());
    keys.addAll(b.keySet());
    return keys;
  }

  /** Values as state.json gives them back: 800 read as an Integer equals 800L written. */
  private static boolean same(Object a, Object b) {
    return Objects.equals(a == null ? null : text(a), b == null ? null : text(b));
  }

  private static String text(Object value) {
    return value == null ? "(none)" : String.valueOf(value);
  }
}
