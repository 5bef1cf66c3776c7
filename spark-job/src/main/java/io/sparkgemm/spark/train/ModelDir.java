package io.sparkgemm.spark.train;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.DenseBlock;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Network;
import io.sparkgemm.local.net.Theta;
import io.sparkgemm.local.npy.Npy;
import io.sparkgemm.local.npy.NpyArray;
import io.sparkgemm.local.npy.NpyFormatException;
import io.sparkgemm.local.npy.NpyLayout;
import io.sparkgemm.spark.input.DriverFiles;
import io.sparkgemm.spark.output.OutputDir;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The model folder: one float64 .npy per W_l (d_l x d_{l+1}) and b_l (d_{l+1}) plus
 * {@code model.json}, which names the format and its version, the sizes d_0 .. d_L, the hidden
 * activations, the loss head, the dtype training ran in and the files of each layer. The linear
 * model keeps train's names {@code W.npy} and {@code b.npy}; a network's layers are
 * {@code W0.npy, b0.npy, W1.npy, ...}. Read and written through Hadoop's FileSystem, so the
 * folder may live on HDFS or an object store. A folder without model.json but with W.npy and
 * b.npy (train's output before networks) reads as the linear model with no loss recorded.
 *
 * <pre>
 * {"format": "spark-gemm-model", "version": 1, "sizes": [784, 256, 10],
 *  "activations": ["relu"], "loss": "softmax-ce", "dtype": "float64",
 *  "layers": [{"W": "W0.npy", "b": "b0.npy"}, {"W": "W1.npy", "b": "b1.npy"}]}
 * </pre>
 */
public final class ModelDir {
  public static final String FORMAT = "spark-gemm-model";
  public static final int VERSION = 1;
  public static final String JSON = "model.json";

  private ModelDir() {
  }

  /**
   * A trained model.
   *
   * @param theta the network and θ
   * @param loss the head it was trained with, or null where the folder does not say
   * @param dtype the dtype training ran in (the files are float64 either way)
   */
  public record Model(Theta theta, Loss loss, DType dtype) {
    public Network network() {
      return theta.network();
    }
  }

  /** A file of a model folder that is missing or wrong: names the file and the problem. */
  public static final class DamagedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String problem;

    DamagedException(String file, String problem) {
      super(file + ": " + problem + " (the model folder is damaged)");
      this.file = file;
      this.problem = problem;
    }

    public String file() {
      return file;
    }

    public String problem() {
      return problem;
    }
  }

  /** The names of layer {@code layer}'s files: W.npy and b.npy for the linear model. */
  public static String[] fileNames(Network network, int layer) {
    return network.numLayers() == 1 ? new String[] {"W.npy", "b.npy"}
        : new String[] {"W" + layer + ".npy", "b" + layer + ".npy"};
  }

  /** Where a file of the model goes: a name in, an open stream out. */
  @FunctionalInterface
  public interface Sink {
    OutputStream create(String name) throws IOException;
  }

  /** Writes the model's files into an open output folder (committed by the caller). */
  public static List<String> write(OutputDir dir, Model model) {
    return write(dir::create, model);
  }

  /** Writes the model to a new folder {@code path}, all or nothing. */
  public static void write(String path, Model model, boolean overwrite, Configuration conf) {
    try (OutputDir dir = OutputDir.create(path, overwrite, conf)) {
      write(dir, model);
      dir.commit();
    }
  }

  /** Writes the model's files through {@code sink}; returns their names, model.json last. */
  public static List<String> write(Sink sink, Model model) {
    Network net = model.network();
    Theta theta = model.theta();
    List<String> names = new ArrayList<>();
    for (int l = 0; l < net.numLayers(); l++) {
      String[] files = fileNames(net, l);
      writeNpy(sink, files[0], NpyArray.of(theta.weight(l)));
      writeNpy(sink, files[1], NpyArray.ofVector(theta.bias(l)));
      names.add(files[0]);
      names.add(files[1]);
    }
    try (OutputStream s = sink.create(JSON)) {
      s.write(JsonFiles.bytes(ModelJson.of(model)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + JSON, e);
    }
    names.add(JSON);
    return names;
  }

  private static void writeNpy(Sink sink, String name, NpyArray array) {
    try (OutputStream s = sink.create(name)) {
      Npy.write(s, array);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name, e);
    }
  }

  /**
   * Reads and checks a model folder: model.json's fields, every file it names, and each file's
   * shape against the sizes; a damaged folder is refused naming the file and what was wrong.
   */
  public static Model read(String path, Configuration conf) {
    try {
      Path dir = new Path(path);
      // raw on a local disk: files replaced by other tools (NumPy) have stale .crc files, and
      // the checks below are the model's
      FileSystem fs = DriverFiles.fileSystem(dir, conf);
      if (!fs.exists(dir)) {
        throw new IllegalArgumentException("Model folder " + path + ": no such folder");
      }
      if (!fs.getFileStatus(dir).isDirectory()) {
        throw new IllegalArgumentException("Model folder " + path + ": is a file, expected a "
            + "folder with " + JSON + " and the .npy files of W and b");
      }
      Path jsonPath = new Path(dir, JSON);
      if (fs.exists(jsonPath) && fs.getFileStatus(jsonPath).isDirectory()) {
        throw damaged(jsonPath, "is a directory, expected the model's description (a JSON file)");
      }
      if (!fs.exists(jsonPath)) {
        if (fs.exists(new Path(dir, "W.npy")) && fs.exists(new Path(dir, "b.npy"))) {
          return readLegacy(fs, dir);
        }
        throw new IllegalArgumentException("Model folder " + path + ": " + JSON + " is missing "
            + "(a model folder holds " + JSON + " and the .npy files of W and b)");
      }
      ModelJson d;
      try (InputStream in = fs.open(jsonPath)) {
        d = JsonFiles.read(in, ModelJson.class);
      } catch (JsonFiles.Invalid e) {
        throw damaged(jsonPath, e.syntax() ? "not JSON (" + e.getMessage() + ")"
            : e.getMessage());
      }
      Network network = d.network();
      List<DenseBlock> weights = new ArrayList<>();
      List<double[]> biases = new ArrayList<>();
      for (int l = 0; l < network.numLayers(); l++) {
        int rows = network.size(l);
        int cols = network.size(l + 1);
        String layer = network.numLayers() == 1 ? "" : String.valueOf(l);
        weights.add(DenseBlock.ofDoubles(rows, cols, read(fs,
            new Path(dir, d.layers().get(l).weights()), "W" + layer, rows, cols, true)));
        biases.add(read(fs, new Path(dir, d.layers().get(l).bias()), "b" + layer, cols, 1,
            false));
      }
      return new Model(Theta.pack(network, weights, biases), d.lossValue(),
          d.dtypeValue());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the model folder " + path, e);
    }
  }

  private static Model readLegacy(FileSystem fs, Path dir) throws IOException {
    NpyLayout w = header(fs, new Path(dir, "W.npy"), true);
    DenseBlock weights = DenseBlock.ofDoubles(w.rows(), w.cols(),
        read(fs, new Path(dir, "W.npy"), "W", w.rows(), w.cols(), true));
    Theta theta = Theta.linear(weights, read(fs, new Path(dir, "b.npy"), "b", w.cols(), 1,
        false));
    return new Model(theta, null, DType.FLOAT64);
  }

  /** Reads a float .npy of the expected shape (rows x cols values, row-major). */
  private static double[] read(FileSystem fs, Path file, String what, int rows, int cols,
      boolean matrix) throws IOException {
    NpyLayout layout = header(fs, file, matrix);
    if (matrix && (layout.rows() != rows || layout.cols() != cols)) {
      throw damaged(file, what + " is " + layout.shapeText() + " but " + JSON + " says ("
          + rows + ", " + cols + ")");
    }
    if (!matrix && layout.rows() != rows) {
      throw damaged(file, what + " has " + layout.rows() + " values but " + JSON + " says "
          + rows);
    }
    double[] values = new double[rows * cols];
    try (FSDataInputStream in = fs.open(file)) {
      layout.readRows(in::readFully, 0, rows, values, 0);
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw damaged(file, what + " has " + values[i] + " at index " + i
            + " (a model's parameters must be finite)");
      }
    }
    return values;
  }

  private static NpyLayout header(FileSystem fs, Path file, boolean matrix)
      throws IOException {
    try {
      FileStatus status = fs.getFileStatus(file);
      if (status.isDirectory()) {
        throw damaged(file, "is a directory, expected a .npy file");
      }
      try (FSDataInputStream in = fs.open(file)) {
        NpyLayout layout = NpyLayout.read(in::readFully, status.getLen(), file.toString());
        if (matrix) {
          layout.requireFloatMatrix();
        } else {
          layout.requireFloatVector();
        }
        return layout;
      } catch (NpyFormatException e) {
        String prefix = file + ": ";
        String m = e.getMessage();
        throw damaged(file, m.startsWith(prefix) ? m.substring(prefix.length()) : m);
      }
    } catch (FileNotFoundException e) {
      throw damaged(file, "missing");
    }
  }

  private static DamagedException damaged(Path file, String problem) {
    return new DamagedException(file.toString(), problem);
  }
}
