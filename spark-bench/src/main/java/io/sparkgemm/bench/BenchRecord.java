package io.sparkgemm.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of bench.json: one (shape, dtype, contender, operation, BLAS threads).
 *
 * @param gflops useful flops of the operation ({@link Op#flops}) over the median time; null for
 *     a fit
 * @param ratioToFloor the floor's median time over this one's (1.0: as fast as the floor); null
 *     when the floor has no such operation
 * @param relError relative error of this result against the floor's (see the README)
 * @param cachedBytes bytes of this contender's cached form of X (Spark's storage figures;
 *     the floor: its arrays); null when not measured
 * @param setupSeconds for fits: the median time before the first iteration's gradient was done
 */
public record BenchRecord(Shape shape, String dtype, String contender, Op op, int blasThreads,
    Timings timings, Double gflops, Double ratioToFloor, Double relError, Long cachedBytes,
    long rawBytes, Double setupSeconds, String note) {

  /** This record with a ratio to the floor's median time. */
  public BenchRecord withFloor(double floorMedian) {
    return new BenchRecord(shape, dtype, contender, op, blasThreads, timings, gflops,
        floorMedian / timings.median(), relError, cachedBytes, rawBytes, setupSeconds, note);
  }

  /** The JSON object, with the documented snake_case names. */
  public Map<String, Object> toJson(Map<String, Double> speedups) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shape", shape.toString());
    m.put("n", shape.n());
    m.put("d", shape.d());
    m.put("k", shape.k());
    m.put("dtype", dtype);
    m.put("contender", contender);
    m.put("operation", op.label());
    m.put("blas_threads", blasThreads);
    m.put("repetitions", timings.count());
    m.put("seconds_median", timings.median());
    m.put("seconds_min", timings.min());
    m.put("seconds_max", timings.max());
    m.put("gflops", gflops);
    m.put("ratio_to_floor", ratioToFloor);
    m.put("rel_error", relError);
    m.put("cached_bytes", cachedBytes);
    m.put("raw_bytes", rawBytes);
    m.put("cached_to_raw", cachedBytes == null ? null : (double) cachedBytes / rawBytes);
    m.put("setup_seconds", setupSeconds);
    m.put("speedup_over", speedups.isEmpty() ? null : speedups);
    m.put("note", note);
    return m;
  }
}
