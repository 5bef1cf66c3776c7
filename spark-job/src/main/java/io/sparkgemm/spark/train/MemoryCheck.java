package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadInputException;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.local.net.Network;
import java.util.Collections;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Refuses, before any of it is allocated, a model whose training cannot fit the memory it would
 * run in, instead of an OutOfMemoryError minutes later. The estimate is a lower bound, so a
 * refusal is certain and a pass is not a promise. With P parameters (Σ d_l·d_{l+1} + d_{l+1}):
 * <ul>
 *   <li>the driver holds θ, its gradient and the broadcast copy of θ, plus the optimizer's state
 *       (lbfgs: 2·m correction vectors and 2 more; gd: velocity and direction; sgd with
 *       momentum: velocity; adam: m and v), each P float64 values;
 *   <li>each task running at once holds its partition's float64 gradient sum (P values) and
 *       the activations of the block it runs (rows × Σ d_l in the pass dtype); an executor
 *       also holds θ in the pass dtype;
 *   <li>in local mode the tasks run in the driver's JVM, so all of it is held there.
 * </ul>
 * θ beyond one Java array ({@link Network#MAX_PARAMETERS}) is refused whatever the memory.
 */
public final class MemoryCheck {
  private static final double GIB = 1 << 30;
  private static final double MIB = 1 << 20;

  private MemoryCheck() {
  }

  /**
   * The memory training runs in.
   *
   * @param driverBytes the driver's largest heap (this JVM's)
   * @param local whether the tasks run in the driver's JVM
   * @param executorBytes an executor's heap (spark.executor.memory); unused in local mode
   * @param slots tasks one JVM running tasks runs at once
   */
  public record Budget(long driverBytes, boolean local, long executorBytes, int slots) {
    /** The budget of the running session, else of {@code master} and the spark.* properties. */
    public static Budget of(String master) {
      scala.Option<SparkSession> active = SparkSession.getActiveSession();
      SparkContext context = active.isDefined() ? active.get().sparkContext() : null;
      SparkConf conf = context != null ? context.getConf() : new SparkConf();
      String url = context != null ? context.master()
          : master != null ? master : conf.get("spark.master", "local[*]");
      return of(url, conf, Runtime.getRuntime().maxMemory(),
          Runtime.getRuntime().availableProcessors());
    }

    static Budget of(String master, SparkConf conf, long heap, int cores) {
      Matcher local = Pattern.compile("local(?:\\[(\\*|\\d+)(?:\\s*,\\s*\\d+)?\\])?")
          .matcher(master);
      if (local.matches()) {
        String threads = local.group(1);
        int slots = threads == null ? 1 : threads.equals("*") ? cores : Integer.parseInt(threads);
        return new Budget(heap, true, heap, Math.max(1, slots));
      }
      int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
      Matcher cluster = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)"
          + "\\s*\\]").matcher(master);
      if (cluster.matches()) {
        return new Budget(heap, false, Long.parseLong(cluster.group(2)) << 20,
            Math.max(1, Integer.parseInt(cluster.group(1)) / taskCpus));
      }
      // Without spark.executor.cores a standalone executor takes every core of its worker,
      // which the driver cannot know: one task is the lower bound.
      return new Budget(heap, false, conf.getSizeAsBytes("spark.executor.memory", "1g"),
          Math.max(1, conf.getInt("spark.executor.cores", 1) / taskCpus));
    }
  }

  /**
   * What a pass runs over, as far as it is known.
   *
   * @param numRows rows of X (0: not yet known)
   * @param partitions partitions of the blocks (0: not yet known, at least the slots)
   * @param blockRows rows per block
   */
  public record Data(long numRows, int partitions, int blockRows) {
  }

  /**
   * Refuses (IllegalArgumentException) training {@code spec}'s model from {@code inFeatures} to
   * {@code outFeatures} when θ cannot be one Java array or its training cannot fit
   * {@code budget}.
   */
  public static void require(TrainSpec spec, int inFeatures, int outFeatures, Data data,
      Budget budget) {
    int[] sizes = new int[spec.hiddenSizes().size() + 2];
    sizes[0] = inFeatures;
    for (int i = 0; i < spec.hiddenSizes().size(); i++) {
      sizes[i + 1] = spec.hiddenSizes().get(i);
    }
    sizes[sizes.length - 1] = outFeatures;
    long p = parameters(sizes);
    ParamText model = model(spec, sizes, p);
    boolean linear = sizes.length == 2;
    ParamText smaller = ParamText.of("give ", param("hiddenSizes"), " smaller widths");
    if (p > Network.MAX_PARAMETERS) {
      throw new BadInputException(model, String.format(Locale.ROOT, ", more than one Java "
          + "array holds (%,d): ", Network.MAX_PARAMETERS),
          linear ? "use fewer features or outputs" : smaller);
    }
    // bytes as doubles: a lower bound of many terabytes must not overflow
    double driver = 8.0 * p * (3.0 + stateVectors(spec));
    int tasks = tasksAtOnce(data, budget.slots());
    long rows = rowsAtOnce(spec, data, tasks);
    double widths = 0;
    for (int size : sizes) {
      widths += size;
    }
    double pass = 8.0 * tasks * p + rows * widths * spec.dtype().bytes();
    ParamText fewerRows = ParamText.of(param("blockRows"), " fewer rows, or ");
    ParamText remedy = linear ? ParamText.of("give ", fewerRows)
        : smaller.plus(" or ", fewerRows);
    ParamText driverNeeds = model.plus(String.format(Locale.ROOT, ": %s need %s on the driver",
        held(spec), size(driver)));
    String passNeeds = String.format(Locale.ROOT, "%d task%s at once: %s and the activations "
        + "of %,d rows", tasks, tasks == 1 ? "" : "s", tasks == 1 ? "its float64 gradient sum"
        : "their float64 gradient sums", rows);
    if (budget.local() && driver + pass > budget.driverBytes()) {
      throw new BadInputException(driverNeeds, String.format(Locale.ROOT, ", and the pass %s "
          + "more for %s; %s in all, but the driver has %s (its -Xmx, spark.driver.memory; in "
          + "local mode the tasks run in the driver's JVM): ", size(pass), passNeeds,
          size(driver + pass), size(budget.driverBytes())), remedy, "the driver more memory");
    }
    if (!budget.local() && driver > budget.driverBytes()) {
      throw new BadInputException(driverNeeds, ", but the driver has "
          + size(budget.driverBytes()) + " (its -Xmx, spark.driver.memory): ",
          linear ? "" : smaller.plus(", or "), "the driver more memory");
    }
    double executor = (double) p * spec.dtype().bytes() + pass;
    if (!budget.local() && executor > budget.executorBytes()) {
      throw new BadInputException(model, String.format(Locale.ROOT, ": an executor needs %s "
          + "(θ in %s, and %s), but spark.executor.memory is %s: ", size(executor),
          spec.dtype().label(), passNeeds, size(budget.executorBytes())), remedy,
          "the executors more memory");
    }
  }

  /** Σ d_l·d_{l+1} + d_{l+1}, saturating at Long.MAX_VALUE. */
  static long parameters(int[] sizes) {
    long p = 0;
    try {
      for (int l = 0; l + 1 < sizes.length; l++) {
        p = Math.addExact(p, Math.addExact(Math.multiplyExact((long) sizes[l], sizes[l + 1]),
            sizes[l + 1]));
      }
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
    return p;
  }

  private static ParamText model(TrainSpec spec, int[] sizes, long p) {
    if (sizes.length == 2) {
      return ParamText.of(String.format(Locale.ROOT, "The linear model %d-%d has %,d parameters",
          sizes[0], sizes[1], p));
    }
    String hidden = spec.hiddenSizes().stream().map(String::valueOf)
        .collect(Collectors.joining(","));
    return ParamText.of(param("hiddenSizes"), String.format(Locale.ROOT,
        " %s makes the network %s of %,d parameters", hidden, Network.describe(sizes,
            Collections.nCopies(sizes.length - 2, spec.activation())), p));
  }

  /** Vectors of P float64 values the optimizer keeps besides θ, the gradient and the copy. */
  private static double stateVectors(TrainSpec spec) {
    return switch (spec.optimizer()) {
      case LBFGS -> 2.0 * spec.lbfgsMemory() + 2;
      case GD, ADAM -> 2;
      case SGD -> spec.momentum() > 0 ? 1 : 0;
    };
  }

  private static String held(TrainSpec spec) {
    String state = switch (spec.optimizer()) {
      case LBFGS -> "lbfgs's " + spec.lbfgsMemory() + " correction pairs plus 2 vectors";
      case GD -> "gd's velocity and direction";
      case ADAM -> "adam's moments m and v";
      case SGD -> spec.momentum() > 0 ? "sgd's velocity" : null;
    };
    return state == null ? "θ, its gradient and its broadcast copy (float64)"
        : "θ, its gradient, its broadcast copy and " + state + " (float64)";
  }

  /** Tasks holding a gradient sum at once: no more than the slots, partitions or blocks. */
  private static int tasksAtOnce(Data data, int slots) {
    long tasks = slots;
    if (data.partitions() > 0) {
      tasks = Math.min(tasks, data.partitions());
    }
    if (data.numRows() > 0) {
      tasks = Math.min(tasks, (data.numRows() + data.blockRows() - 1) / data.blockRows());
    }
    return (int) Math.max(1, tasks);
  }

  /** Rows whose activations are held at once: a block per task, within a step or X. */
  private static long rowsAtOnce(TrainSpec spec, Data data, int tasks) {
    long rows = (long) tasks * data.blockRows();
    if (data.numRows() > 0) {
      rows = Math.min(rows, data.numRows());
    }
    return spec.optimizer().minibatch() ? Math.min(rows, spec.batchRows()) : rows;
  }

  private static String size(double bytes) {
    return bytes >= GIB ? String.format(Locale.ROOT, "%.1f GB", bytes / GIB)
        : String.format(Locale.ROOT, "%.0f MB", Math.ceil(bytes / MIB));
  }
}
