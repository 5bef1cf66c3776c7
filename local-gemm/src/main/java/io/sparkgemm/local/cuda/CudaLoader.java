package io.sparkgemm.local.cuda;

import io.sparkgemm.local.backend.BackendUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a CUDA binding that loads, once per JVM: JavaCPP's CUDA 13 first, then JCublas for
 * CUDA 12. Each binding class is reached by name, only after its jar is found on the class path,
 * so a JVM without the jars or without CUDA libraries never links JCuda or JavaCPP's cuda
 * classes; a failure keeps every loader's reason for the backend line.
 */
public final class CudaLoader {
  /** Which binding to try: {@code javacpp} (CUDA 13) or {@code jcublas} (CUDA 12). */
  public enum Binding {
    JAVACPP("org.bytedeco.cuda.global.cublas", "io.sparkgemm.local.cuda.JavaCppCuda",
        "org.bytedeco:cuda (CUDA 13: libcuda.so.1, libcudart.so.13, libcublas.so.13)"),
    JCUBLAS("jcuda.jcublas.JCublas2", "io.sparkgemm.local.cuda.JCublasCuda",
        "org.jcuda:jcublas (CUDA 12: libcuda.so.1, libcudart.so.12, libcublas.so.12)");

    final String marker;
    final String implementation;
    final String needs;

    Binding(String marker, String implementation, String needs) {
      this.marker = marker;
      this.implementation = implementation;
      this.needs = needs;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final int REASON_LIMIT = 400;
  private static final Pattern MISSING = Pattern.compile(
      "([^\\s:]+): ([^\\s:]+): cannot open shared object file");
  private static final List<String> failures = new ArrayList<>();
  /** Per binding, the first load's outcome: a JVM gets one try (a failed static init sticks). */
  private static final Map<Binding, Object> outcomes = new EnumMap<>(Binding.class);
  private static boolean tried;
  private static CudaBinding loaded;

  private CudaLoader() {
  }

  /**
   * The first binding that loads and sees at least one device.
   *
   * @throws BackendUnavailableException with every binding's reason
   */
  static synchronized CudaBinding binding() {
    if (!tried) {
      tried = true;
      for (Binding candidate : Binding.values()) {
        try {
          CudaBinding binding = load(candidate);
          int devices = binding.deviceCount();
          if (devices > 0) {
            loaded = binding;
            break;
          }
          failures.add(candidate.label() + ": loaded, but no CUDA device is visible");
        } catch (BackendUnavailableException | CudaException e) {
          failures.add(e.getMessage());
        }
      }
    }
    if (loaded == null) {
      throw new BackendUnavailableException("no CUDA device: " + String.join("; ", failures));
    }
    return loaded;
  }

  /**
   * Loads one binding's native libraries, without looking for devices.
   *
   * @throws BackendUnavailableException naming the binding, what it needs and the loader's reason
   */
  static synchronized CudaBinding load(Binding which) {
    Object outcome = outcomes.get(which);
    if (outcome == null) {
      try {
        outcome = loadOnce(which);
      } catch (BackendUnavailableException e) {
        outcome = e;
      }
      outcomes.put(which, outcome);
    }
    if (outcome instanceof BackendUnavailableException e) {
      throw new BackendUnavailableException(e.getMessage(), e.getCause());
    }
    return (CudaBinding) outcome;
  }

  private static CudaBinding loadOnce(Binding which) {
    ClassLoader classes = CudaLoader.class.getClassLoader();
    try {
      Class.forName(which.marker, false, classes);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new BackendUnavailableException(which.label() + ": " + which.needs
          + " is not on the class path", e);
    }
    try {
      return (CudaBinding) Class.forName(which.implementation, true, classes)
          .getDeclaredMethod("load").invoke(null);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new BackendUnavailableException(which.label() + ": cannot load " + which.needs + ": "
          + reason(cause), cause);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      throw new BackendUnavailableException(which.label() + ": cannot load " + which.needs + ": "
          + reason(e), e);
    }
  }

  /**
   * The loader's reason on one line: the missing shared library and who needed it when the
   * dynamic loader said so, else the message chain with each message cut to a readable length.
   */
  static String reason(Throwable t) {
    StringBuilder all = new StringBuilder();
    Set<Throwable> visited = new LinkedHashSet<>();
    for (Throwable c = t; c != null && visited.add(c); c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
    }
    Matcher missing = MISSING.matcher(all);
    if (missing.find()) {
      String needer = Path.of(missing.group(1)).getFileName().toString();
      return missing.group(2) + " not found (needed by " + needer
          + ": cannot open shared object file)";
    }
    StringBuilder text = new StringBuilder();
    Set<Throwable> seen = new LinkedHashSet<>();
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      String message = c.getMessage() == null ? c.getClass().getSimpleName()
          : c.getClass().getSimpleName() + ": " + c.getMessage().replaceAll("\\s+", " ").trim();
      if (message.length() > REASON_LIMIT) {
        message = message.substring(0, REASON_LIMIT) + "...";
      }
      if (text.indexOf(message) < 0) {
        text.append(text.length() == 0 ? "" : " <- ").append(message);
      }
    }
    return text.toString();
  }

  /** {@code 13000 -> 13.0}, {@code 12060 -> 12.6} (CUDA's version encoding). */
  static String versionText(int version) {
    return version <= 0 ? "unknown" : version / 1000 + "." + version % 1000 / 10;
  }

  /** The mapped files of this process whose names start with one of the prefixes (Linux). */
  static String mappedFiles(String... prefixes) {
    Set<String> files = new LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int slash = line.indexOf('/');
        if (slash < 0) {
          continue;
        }
        String path = line.substring(slash).trim();
        String name = Path.of(path).getFileName().toString();
        for (String prefix : prefixes) {
          if (name.startsWith(prefix)) {
            files.add(path);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "path unknown";
    }
    return files.isEmpty() ? "path unknown" : String.join(", ", files);
  }

  static String buildProperty(String key) {
    Properties properties = new Properties();
    try (InputStream in = CudaLoader.class.getResourceAsStream(
        "/io/sparkgemm/local/build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty(key, "unknown");
  }
}
