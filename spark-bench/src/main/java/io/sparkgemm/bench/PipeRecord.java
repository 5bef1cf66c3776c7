package io.sparkgemm.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of the pipe part of bench.json: what surrounds the GEMMs (a pass's fixed cost,
 * reading and blocking an input, training end to end), timed for one contender.
 *
 * @param section {@code fixed-cost}, {@code ingest} or {@code train}
 * @param what the work, e.g. {@code 400000x512 float64} or {@code 60000x784->10, 100 L-BFGS}
 * @param format the input's format ({@code parquet}, {@code npy}, ...) or {@code -}
 * @param megabytesPerSecond raw bytes of X (n·d·8) over the median time; null when not a read
 * @param extra named figures of the row (passes, objective, seconds per iteration, ...)
 */
public record PipeRecord(String section, String what, String contender, String format,
    Timings timings, Double megabytesPerSecond, Map<String, Object> extra, String note) {

  public PipeRecord {
    extra = extra == null ? Map.of() : new LinkedHashMap<>(extra);
  }

  /** The JSON object, with snake_case names as in the rest of bench.json. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("section", section);
    m.put("what", what);
    m.put("contender", contender);
    m.put("format", format);
    m.put("repetitions", timings.count());
    m.put("seconds_median", timings.median());
    m.put("seconds_min", timings.min());
    m.put("seconds_max", timings.max());
    m.put("mb_per_second", megabytesPerSecond);
    m.putAll(extra);
    m.put("note", note);
    return m;
  }
}
