package io.sparkgemm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** bench.json, the console table and bench.png. */
public final class BenchOutput {
  /** For each spark-gemm operation, the MLlib contenders doing the same work. */
  private static final Map<Op, List<String>> RIVALS = Map.of(
      Op.FORWARD, List.of(BenchConfig.ROW_MATRIX, BenchConfig.BLOCK_MATRIX),
      Op.BACKWARD, List.of(BenchConfig.BLOCK_MATRIX),
      Op.GRADIENT, List.of(BenchConfig.LOGISTIC),
      Op.FIT, List.of(BenchConfig.LOGISTIC));

  private BenchOutput() {
  }

  /** Speed-ups of a spark-gemm record over each MLlib contender timing the same work. */
  public static Map<String, Double> speedups(BenchRecord r, List<BenchRecord> all) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (!r.contender().equals(BenchConfig.SPARK_GEMM)) {
      return out;
    }
    for (String rival : RIVALS.getOrDefault(r.op(), List.of())) {
      for (BenchRecord o : all) {
        if (o.contender().equals(rival) && o.op() == r.op() && o.shape().equals(r.shape())
            && o.blasThreads() == r.blasThreads()) {
          out.put(rival, o.timings().median() / r.timings().median());
        }
      }
    }
    return out;
  }

  /** The bench.json document: the run's settings and one object per record. */
  public static void writeJson(OutputStream stream, Map<String, Object> settings,
      List<BenchRecord> records, List<PipeRecord> pipe) {
    Map<String, Object> doc = new LinkedHashMap<>(settings);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (BenchRecord r : records) {
      rows.add(r.toJson(speedups(r, records)));
    }
    doc.put("records", rows);
    doc.put("pipe", pipe.stream().map(PipeRecord::toJson).toList());
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(stream, doc);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write bench.json", e);
    }
  }

  /** The console table, then the cached size of X per contender. */
  public static void printTable(PrintWriter out, List<BenchRecord> records) {
    String format = "%-16s %-7s %-22s %-12s %3s %9s %9s %9s %8s %7s %9s  %s%n";
    out.printf(Locale.ROOT, format, "shape", "dtype", "contender", "operation", "thr",
        "median s", "min s", "max s", "GFLOP/s", "xfloor", "rel.err", "speed-up over MLlib");
    for (BenchRecord r : records) {
      StringBuilder speed = new StringBuilder();
      speedups(r, records).forEach((rival, x) -> speed.append(speed.length() > 0 ? ", " : "")
          .append(String.format(Locale.ROOT, "%.1fx %s", x, rival.replace("mllib-", ""))));
      out.printf(Locale.ROOT, format, r.shape(), r.dtype(), r.contender(), r.op().label(),
          r.blasThreads(), sec(r.timings().median()), sec(r.timings().min()),
          sec(r.timings().max()), r.gflops() == null ? "-" : fmt("%.1f", r.gflops()),
          r.ratioToFloor() == null ? "-" : fmt("%.2f", r.ratioToFloor()),
          r.relError() == null ? "-" : fmt("%.1e", r.relError()), speed);
    }
    out.println();
    out.printf(Locale.ROOT, "%-16s %-22s %14s %14s %8s%n", "shape", "cached X of", "bytes",
        "raw n·d·bytes", "ratio");
    Set<String> seen = new LinkedHashSet<>();
    for (BenchRecord r : records) {
      if (r.cachedBytes() != null && seen.add(r.shape() + " " + r.contender())) {
        out.printf(Locale.ROOT, "%-16s %-22s %14d %14d %8.3f%n", r.shape(), r.contender(),
            r.cachedBytes(), r.rawBytes(), (double) r.cachedBytes() / r.rawBytes());
      }
    }
    out.flush();
  }

  /** The pipe table: one line per row, its figures named. */
  public static void printPipeTable(PrintWriter out, List<PipeRecord> pipe) {
    if (pipe.isEmpty()) {
      return;
    }
    out.println();
    String format = "%-10s %-34s %-15s %-8s %9s %9s  %s%n";
    out.printf(Locale.ROOT, format, "section", "what", "contender", "format", "median s",
        "MB/s", "figures");
    for (PipeRecord r : pipe) {
      StringBuilder figures = new StringBuilder();
      r.extra().forEach((name, value) -> figures.append(figures.length() > 0 ? ", " : "")
          .append(name).append(' ').append(value instanceof Double v ? fmt("%.6g", v) : value));
      if (r.note() != null) {
        figures.append(figures.length() > 0 ? "; " : "").append(r.note());
      }
      out.printf(Locale.ROOT, format, r.section(), r.what(), r.contender(), r.format(),
          Double.isNaN(r.timings().median()) ? "-" : sec(r.timings().median()),
          r.megabytesPerSecond() == null ? "-" : fmt(r.megabytesPerSecond() >= 100 ? "%.0f"
              : "%.1f", r.megabytesPerSecond()), figures);
    }
    out.flush();
  }

  /**
   * bench.png: GFLOP/s as grouped bars, one group per (shape, operation) at the main thread
   * count, one bar per contender.
   */
  public static void writeChart(OutputStream stream, List<BenchRecord> records, int threads) {
    System.setProperty("java.awt.headless", "true");
    List<String> groups = new ArrayList<>();
    Set<String> contenders = new LinkedHashSet<>();
    for (BenchRecord r : records) {
      if (r.gflops() != null && r.blasThreads() == threads) {
        String group = r.shape() + " " + r.op().label();
        if (!groups.contains(group)) {
          groups.add(group);
        }
        contenders.add(r.contender());
      }
    }
    CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 110 * groups.size()))
        .height(560).title("spark-gemm bench: GFLOP/s (higher is better), " + threads
            + " OpenBLAS thread(s) per task").xAxisTitle("shape (n x d x k) and operation")
        .yAxisTitle("GFLOP/s").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLabelRotation(30);
    chart.getStyler().setOverlapped(false);
    for (String contender : contenders) {
      List<Double> values = new ArrayList<>();
      for (String group : groups) {
        double value = 0.0;
        for (BenchRecord r : records) {
          if (r.contender().equals(contender) && r.blasThreads() == threads
              && r.gflops() != null && (r.shape() + " " + r.op().label()).equals(group)) {
            value = r.gflops();
          }
        }
        values.add(value);
      }
      chart.addSeries(contender, groups, values);
    }
    try {
      BitmapEncoder.saveBitmap(chart, stream, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write bench.png", e);
    }
  }

  private static String sec(double s) {
    return s >= 100 ? fmt("%.1f", s) : s >= 1 ? fmt("%.3f", s) : fmt("%.4f", s);
  }

  private static String fmt(String format, double v) {
    return String.format(Locale.ROOT, format, v);
  }
}
