package io.sparkgemm.spark.train;

import breeze.linalg.DenseVector;
import breeze.optimize.CachedDiffFunction;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import io.sparkgemm.local.Norms;
import io.sparkgemm.local.net.Theta;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;

/**
 * L-BFGS from Breeze, the implementation Spark ships and MLlib's LogisticRegression and
 * LinearRegression use, called the way they call it: {@code new LBFGS(maxIter, memory, tol)}
 * iterated over a {@link CachedDiffFunction} (so the line search's accepted point is not
 * evaluated twice), but with a first step found in fewer passes ({@link FirstStepLbfgs}).
 * Breeze's {@code maxIter} counts iterations after the starting point.
 *
 * <p>Resuming from a checkpoint restarts the curvature history at the checkpoint's θ: Breeze's
 * history is not saved.
 */
final class Lbfgs {
  private Lbfgs() {
  }

  /** The objective as Breeze sees it. */
  interface Calculation {
    Tuple2<Object, DenseVector<Object>> calculate(DenseVector<Object> x);
  }

  /** The objective along a line, φ(t) and φ'(t), as Breeze's line searches see it. */
  interface LineCalculation {
    Tuple2<Object, Object> calculate(double t);
  }

  static Trainer.Outcome run(Objective objective, TrainSpec spec, Trainer.Start start,
      Trainer.Listener listener) {
    int first = start.iteration();
    int[] current = {first};
    Calculation calculation = x -> {
      Objective.Evaluation e = objective.evaluate(values(x), current[0]);
      return new Tuple2<>(e.value(), new DenseVector<Object>(e.gradient()));
    };
    DiffFunction<DenseVector<Object>> cached = new CachedDiffFunction<>(
        diffFunction(calculation), DenseVector.canCopyDenseVector(ClassTag$.MODULE$.Double()));
    LBFGS<DenseVector<Object>> lbfgs = new FirstStepLbfgs(Math.max(0, spec.maxIter() - first),
        spec.lbfgsMemory(), spec.tol());
    double[] previous = start.theta().clone();
    Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>>
        states = states(lbfgs, cached, new DenseVector<Object>(start.theta().clone()));
    FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state = null;
    long t0 = System.nanoTime();
    int passes0 = objective.passes();
    while (states.hasNext()) {
      state = states.next();
      int iteration = first + state.iter();
      double[] x = values(state.x());
      double[] grad = values(state.grad());
      double step = 0;
      for (int i = 0; i < x.length; i++) {
        step += (x[i] - previous[i]) * (x[i] - previous[i]);
      }
      System.arraycopy(x, 0, previous, 0, x.length);
      double value = (Double) state.value();
      double loss = value - 0.5 * spec.regParam() * Theta.of(objective.network(),
          x).weightSquares();
      if (state.iter() > 0 || start.history().isEmpty()) {
        listener.onIteration(new IterationRecord(iteration, value, loss, Norms.norm(grad),
            Math.sqrt(step), (System.nanoTime() - t0) / 1e9, objective.passes() - passes0),
            x, null);
      }
      current[0] = iteration + 1;
      t0 = System.nanoTime();
      passes0 = objective.passes();
    }
    if (state == null) {
      throw new IllegalStateException("L-BFGS returned no state");
    }
    FirstOrderMinimizer.ConvergenceReason reason = state.convergenceReason().isDefined()
        ? state.convergenceReason().get() : null;
    return new Trainer.Outcome(values(state.x()).clone(), StopReason.of(reason));
  }

  /** The vector's values: its own array when it is contiguous, else a copy. */
  static double[] values(DenseVector<Object> v) {
    double[] data = (double[]) v.data();
    if (v.offset() == 0 && v.stride() == 1 && data.length == v.length()) {
      return data;
    }
    double[] out = new double[v.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data[v.offset() + i * v.stride()];
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object,
      Object>> states(LBFGS<DenseVector<Object>> lbfgs, DiffFunction<DenseVector<Object>> f,
      DenseVector<Object> x0) {
    return (Iterator) lbfgs.iterations(f, x0);
  }

  /**
   * A Breeze line function (a {@link DiffFunction} of t, boxed) whose values are {@code line}'s;
   * built as {@link #diffFunction} is.
   */
  @SuppressWarnings("unchecked")
  static DiffFunction<Object> lineFunction(LineCalculation line) {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle impl = lookup.findStatic(Lbfgs.class, "lineAt",
          MethodType.methodType(Tuple2.class, LineCalculation.class, Object.class));
      CallSite site = LambdaMetafactory.metafactory(lookup, "calculate",
          MethodType.methodType(DiffFunction.class, LineCalculation.class),
          MethodType.methodType(Tuple2.class, Object.class), impl,
          MethodType.methodType(Tuple2.class, Object.class));
      return (DiffFunction<Object>) site.getTarget().invoke(line);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("Cannot adapt a line search to Breeze's DiffFunction", e);
    }
  }

  private static Tuple2<Object, Object> lineAt(LineCalculation line, Object t) {
    return line.calculate((Double) t);
  }

  /**
   * A Breeze {@link DiffFunction} whose {@code calculate} is {@code calculation}'s. Java cannot
   * implement DiffFunction directly: the trait inherits {@code apply(T): Double} and Function1's
   * {@code apply(T): Object}, which only Scala can bridge. The JDK's lambda factory builds the
   * class instead, implementing just {@code calculate}; every other method is the trait's
   * default, and Breeze's optimizers call only those.
   */
  @SuppressWarnings("unchecked")
  static DiffFunction<DenseVector<Object>> diffFunction(Calculation calculation) {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle impl = lookup.findVirtual(Calculation.class, "calculate",
          MethodType.methodType(Tuple2.class, DenseVector.class));
      CallSite site = LambdaMetafactory.metafactory(lookup, "calculate",
          MethodType.methodType(DiffFunction.class, Calculation.class),
          MethodType.methodType(Tuple2.class, Object.class), impl,
          MethodType.methodType(Tuple2.class, DenseVector.class));
      return (DiffFunction<DenseVector<Object>>) site.getTarget().invoke(calculation);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("Cannot adapt the objective to Breeze's DiffFunction", e);
    }
  }
}
