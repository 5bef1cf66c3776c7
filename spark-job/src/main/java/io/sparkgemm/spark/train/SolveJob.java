package io.sparkgemm.spark.train;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.RidgeSolver;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.spark.block.BlockedInput;
import io.sparkgemm.spark.output.OutputDir;
import io.sparkgemm.spark.output.Report;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spark-gemm solve}: the minimiser of train's mse objective in closed form,
 *
 * <pre>
 *   f(W, b) = ||XW + 1bᵀ − T||² / n + (reg/2)·||W||²
 *   ∇f = 0  ⇔  ([X 1]ᵀ[X 1] + λ·diag(1, …, 1, 0)) [W; bᵀ] = [X 1]ᵀ T,   λ = n·reg/2
 * </pre>
 *
 * from one pass that forms the normal equations ({@link NormalEquations}) and a Cholesky solve
 * on the driver ({@link RidgeSolver}). A second pass measures the residual ||XW + b − T|| and
 * the gradient of f at the solution.
 */
public final class SolveJob {
  private SolveJob() {
  }

  public record Outcome(RidgeSolver.Solution solution, double lambda, double residualNorm,
      double gradientNorm, Report report, String outDir) {
  }

  public static Outcome run(SparkSession spark, BlockedInput input, double regParam,
      DType dtype, BackendOptions backend, int treeDepth, String out, boolean overwrite,
      Map<String, Object> inputs, PrintWriter console) {
    if (!(regParam >= 0) || Double.isInfinite(regParam)) {
      throw new BadParameterException(param("regParam"), " must be >= 0, got " + regParam);
    }
    double reg = regParam;
    OutputDir dir = OutputDir.create(out, overwrite, spark.sparkContext().hadoopConfiguration());
    try (dir) {
      NormalEquations.Sums sums = NormalEquations.compute(spark, input, backend, treeDepth);
      long n = sums.numRows();
      int d = sums.inFeatures();
      int k = sums.outFeatures();
      double lambda = n * reg / 2;
      long solveStart = System.nanoTime();
      RidgeSolver.Solution solution = RidgeSolver.solve(sums.gram(), sums.rhs(), d, k, lambda);
      double solveSeconds = (System.nanoTime() - solveStart) / 1e9;
      // The train objective at the solution: its loss gives the residual, its gradient the check.
      TrainSpec mse = TrainSpec.builder(Loss.MSE).optimizer(Optimizer.GD).learningRate(1.0)
          .regParam(reg).maxIter(0).tol(0.0).lbfgsMemory(1).dtype(dtype).backend(backend)
          .treeDepth(treeDepth).build();
      Theta solved = Theta.linear(solution.w(), solution.b());
      Objective objective = new Objective(spark, input, solved.network(), mse);
      Objective.Evaluation at = objective.evaluate(solved.values(), 0);
      double residual = Math.sqrt(at.loss() * n);
      TrainJob.writeNpy(dir, "W.npy", NpyArray.of(solution.w()));
      TrainJob.writeNpy(dir, "b.npy", NpyArray.ofVector(solution.b()));
      Report r = new Report();
      r.put("command", "solve");
      r.put("inputs", inputs);
      Map<String, Object> shapes = r.section("shapes");
      shapes.put("X", Report.shape(n, d));
      shapes.put("T", Report.shape(n, k));
      shapes.put("W", Report.shape(d, k));
      shapes.put("b", Report.shape(k));
      shapes.put("gram", Report.shape(d + 1, d + 1));
      r.put("objective", "||XW + b − T||²/n + (reg/2)·||W||² (train --loss mse); b not penalised");
      r.put("reg", reg);
      r.put("lambda", lambda);
      r.put("method", solution.method());
      if (solution.warning() != null) {
        r.put("warning", solution.warning());
      }
      r.put("conditionNumber", Double.isFinite(solution.conditionNumber())
          ? (Object) solution.conditionNumber() : Double.toString(solution.conditionNumber()));
      r.put("residualNorm", residual);
      r.put("normalEquationResidual", solution.normalResidual());
      r.put("objectiveValue", at.value());
      r.put("objectiveGradientNorm", at.gradientNorm());
      r.put("backend", sums.backends().size() == 1 ? sums.backends().get(0) : sums.backends());
      r.put("partitions", input.numPartitions());
      r.put("treeDepth", sums.treeDepth());
      Map<String, Object> seconds = r.section("seconds");
      seconds.put("readAndBlock", input.seconds());
      seconds.put("normalEquationsPass", sums.seconds());
      seconds.put("solve", solveSeconds);
      seconds.put("residualPass", objective.passSeconds());
      r.put("outputs", Map.of("W", "W.npy", "b", "b.npy"));
      r.write(dir);
      dir.commit();
      console.printf(Locale.ROOT, "solve: X %d x %d, T %d x %d, reg %g (λ = n·reg/2 = %g), "
          + "%s%n", n, d, n, k, reg, lambda, solution.method());
      console.printf(Locale.ROOT, "κ([X 1]ᵀ[X 1] + λI) = %.6g   ||XW + b − T|| = %.10g   "
          + "normal-equation residual = %.3e   ||∇f|| = %.3e%n", solution.conditionNumber(),
          residual, solution.normalResidual(), at.gradientNorm());
      console.printf(Locale.ROOT, "read+block %.2f s, normal equations %.2f s, solve %.2f s%n",
          input.seconds(), sums.seconds(), solveSeconds);
      console.println("output: " + dir.target());
      console.flush();
      return new Outcome(solution, lambda, residual, at.gradientNorm(), r, dir.target());
    }
  }
}
