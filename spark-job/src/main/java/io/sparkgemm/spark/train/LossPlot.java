package io.sparkgemm.spark.train;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss curve as a PNG (XChart): objective and gradient norm per iteration, log scale. */
public final class LossPlot {
  private LossPlot() {
  }

  public static byte[] png(List<IterationRecord> history, String title) {
    System.setProperty("java.awt.headless", "true");
    int n = history.size();
    double[] x = new double[n];
    double[] objective = new double[n];
    double[] gradient = new double[n];
    boolean positive = true;
    for (int i = 0; i < n; i++) {
      IterationRecord r = history.get(i);
      x[i] = r.iteration();
      objective[i] = r.objective();
      gradient[i] = r.gradientNorm();
      positive &= r.objective() > 0 && r.gradientNorm() > 0;
    }
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
        .xAxisTitle("iteration").yAxisTitle(positive ? "value (log scale)" : "value").build();
    chart.getStyler().setYAxisLogarithmic(positive);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    XYSeries f = chart.addSeries("objective", x, objective);
    f.setMarker(SeriesMarkers.NONE);
    XYSeries g = chart.addSeries("||gradient||", x, gradient);
    g.setMarker(SeriesMarkers.NONE);
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot render the loss plot", e);
    }
  }
}
