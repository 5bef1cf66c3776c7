package io.sparkgemm.cluster;

import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyDType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * A seeded X (n x d) and targets T (n x k) written as .npy a chunk of rows at a time, and, from
 * the same rows as they are written, the sums a test checks spark-gemm against: the mse backward
 * pass at a given W and b (G = 2 (X W + b − T) / n; dW = Xᵀ G, db = 1ᵀ G,
 * loss ||X W + b − T||² / n) and the objective and gradient at W = 0, b = 0 where train
 * starts. Plain loops in float64: the oracle shares no code with the pass.
 */
final class StreamedOracle {
  private static final int CHUNK_ROWS = 4096;

  final long rows;
  final int features;
  final int outputs;
  final double[][] w;
  final double[] b;
  /** At W, b: dW (d x k), db, loss. */
  final double[][] dw;
  final double[] db;
  double loss;
  /** At W = 0, b = 0: the mse loss and the gradient norm over dW and db. */
  double lossAtZero;
  double gradientNormAtZero;

  StreamedOracle(long rows, int features, int outputs, long seed) {
    this.rows = rows;
    this.features = features;
    this.outputs = outputs;
    SplittableRandom random = new SplittableRandom(seed);
    w = new double[features][outputs];
    b = new double[outputs];
    for (double[] row : w) {
      for (int j = 0; j < outputs; j++) {
        row[j] = random.nextDouble(-0.2, 0.2);
      }
    }
    for (int j = 0; j < outputs; j++) {
      b[j] = random.nextDouble(-1, 1);
    }
    dw = new double[features][outputs];
    db = new double[outputs];
  }

  /** Writes X.npy and T.npy (float64, C order) and sums every row into the oracle. */
  void write(Path x, Path t, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] xtAtZero = new double[features][outputs];
    double[] tSum = new double[outputs];
    double tSquares = 0;
    try (FileChannel xc = open(x, new int[] {(int) rows, features});
        FileChannel tc = open(t, new int[] {(int) rows, outputs})) {
      ByteBuffer xb = ByteBuffer.allocate(CHUNK_ROWS * features * 8).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer tb = ByteBuffer.allocate(CHUNK_ROWS * outputs * 8).order(ByteOrder.LITTLE_ENDIAN);
      double[] row = new double[features];
      double[] target = new double[outputs];
      double[] g = new double[outputs];
      for (long r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
        xb.clear();
        tb.clear();
        for (long r = r0; r < Math.min(rows, r0 + CHUNK_ROWS); r++) {
          for (int c = 0; c < features; c++) {
            row[c] = random.nextDouble(-1, 1);
            xb.putDouble(row[c]);
          }
          for (int j = 0; j < outputs; j++) {
            // A target a linear layer can fit, so that training has somewhere to go.
            target[j] = 2 * row[j % features] + random.nextDouble(-0.5, 0.5);
            tb.putDouble(target[j]);
            tSum[j] += target[j];
            tSquares += target[j] * target[j];
          }
          addRow(row, target, g, xtAtZero);
        }
        drain(xc, xb.flip());
        drain(tc, tb.flip());
      }
    }
    atZero(xtAtZero, tSum, tSquares);
  }

  /** y = x W + b; g = 2 (y − t) / n; dW += xᵀ g; db += g; and Xᵀ T for the gradient at 0. */
  private void addRow(double[] x, double[] t, double[] g, double[][] xtAtZero) {
    for (int j = 0; j < outputs; j++) {
      double y = b[j];
      for (int c = 0; c < features; c++) {
        y += x[c] * w[c][j];
      }
      double e = y - t[j];
      loss += e * e / rows;
      g[j] = 2 * e / rows;
      db[j] += g[j];
    }
    for (int c = 0; c < features; c++) {
      for (int j = 0; j < outputs; j++) {
        dw[c][j] += x[c] * g[j];
        xtAtZero[c][j] += x[c] * t[j];
      }
    }
  }

  /** At W = 0, b = 0: G = −2 T / n, so dW = −2 Xᵀ T / n, db = −2 1ᵀ T / n. */
  private void atZero(double[][] xt, double[] tSum, double squares) {
    lossAtZero = squares / rows;
    double norm = 0;
    for (double[] row : xt) {
      for (double v : row) {
        norm += (2 * v / rows) * (2 * v / rows);
      }
    }
    for (double v : tSum) {
      norm += (2 * v / rows) * (2 * v / rows);
    }
    gradientNormAtZero = Math.sqrt(norm);
  }

  private static FileChannel open(Path file, int[] shape) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    drain(channel, ByteBuffer.wrap(Npy.header(NpyDType.FLOAT64, shape)));
    return channel;
  }

  private static void drain(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
