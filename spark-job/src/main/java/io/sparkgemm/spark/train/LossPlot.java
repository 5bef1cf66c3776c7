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

/**
 * The loss curve as a PNG (XChart): objective and gradient norm per iteration (gd, lbfgs) or
 * per epoch (sgd, adam: the epoch's mean objective and its last step's gradient norm), log
 * scale where every value is positive.
 */
public final class LossPlot {
  private LossPlot() {
  }

  public static byte[] png(List<IterationRecord> history, String title) {
    int n = history.size();
    double[] x = new double[n];
    double[] objective = new double[n];
    double[] gradient = new double[n];
    for (int i = 0; i < n; i++) {
      IterationRecord r = history.get(i);
      x[i] = r.iteration();
      objective[i] = r.objective();
      gradient[i] = r.gradientNorm();
    }
    return png(x, objective, gradient, "iteration", "objective", "||gradient||", title);
  }

  /** By epoch: the mean objective of each epoch's steps and its last step's gradient norm. */
  public static byte[] epochsPng(List<EpochRecord> epochs, String title) {
    int n = epochs.size();
    double[] x = new double[n];
    double[] objective = new double[n];
    double[] gradient = new double[n];
    for (int i = 0; i < n; i++) {
      EpochRecord r = epochs.get(i);
      x[i] = r.epoch();
      objective[i] = r.objective();
      gradient[i] = r.gradientNorm();
    }
    return png(x, objective, gradient, "epoch", "objective (mean over the epoch's steps)",
        "||gradient|| (the epoch's last step)", title);
  }

  private static byte[] png(double[] x, double[] objective, double[] gradient, String xTitle,
      String objectiveName, String gradientName, String title) {
    System.setProperty("java.awt.headless", "true");
    boolean positive = true;
    for (int i = 0; i < x.length; i++) {
      positive &= objective[i] > 0 && gradient[i] > 0;
    }
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
        .xAxisTitle(xTitle).yAxisTitle(positive ? "value (log scale)" : "value").build();
    chart.getStyler().setYAxisLogarithmic(positive);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    XYSeries f = chart.addSeries(objectiveName, x, objective);
    f.setMarker(SeriesMarkers.NONE);
    XYSeries g = chart.addSeries(gradientName, x, gradient);
    g.setMarker(SeriesMarkers.NONE);
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot render the loss plot", e);
    }
  }
}
