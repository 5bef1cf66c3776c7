package io.sparkgemm.local.backend;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Loads netlib's BLAS once per JVM. netlib picks its native library in a static initialiser, from
 * the system property {@code dev.ludovic.netlib.blas.nativeLibPath} (a file) or
 * {@code dev.ludovic.netlib.blas.nativeLib} (a name for dlopen, default {@code libblas.so.3}).
 * Unless the user set one of them, this class extracts the OpenBLAS bundled in
 * {@code org.bytedeco:openblas} through JavaCPP (with its gfortran, quadmath and gcc_s companions)
 * and hands netlib that very file, so netlib's dlopen and JavaCPP's thread control share one
 * OpenBLAS instance.
 */
final class NativeBlas {
  static final String PATH_PROPERTY = "dev.ludovic.netlib.blas.nativeLibPath";
  static final String NAME_PROPERTY = "dev.ludovic.netlib.blas.nativeLib";
  static final String LAPACK_PATH_PROPERTY = "dev.ludovic.netlib.lapack.nativeLibPath";
  private static final String NETLIB_LOGGER = "dev.ludovic.netlib.blas.InstanceBuilder";
  private static final String LAPACK_LOGGER = "dev.ludovic.netlib.lapack.InstanceBuilder";

  /** Where the native library came from. */
  enum Source { BUNDLED, USER_PATH, SYSTEM_NAME }

  private static boolean initialised;
  private static boolean nativeSkipped;
  private static Source source;
  private static String library;
  private static NativeBLAS nativeBlas;
  private static Throwable nativeFailure;
  /** The thread count last set through {@link #setThreads}, and what OpenBLAS then reported. */
  private static int threadsAsked = Integer.MIN_VALUE;
  private static int threadsInForce = -1;

  private NativeBlas() {
  }

  /** netlib's native BLAS, loading it on first use; fails with the loader's reason. */
  static synchronized NativeBLAS load(String userPath) {
    if (!initialised) {
      initialise(userPath, false);
    } else if (userPath != null && !userPath.equals(library)) {
      throw new BackendUnavailableException("Cannot load BLAS from " + userPath + ": this JVM "
          + "already loaded " + (library == null ? "no native BLAS" : library)
          + " (netlib loads its library once per JVM)");
    }
    if (nativeSkipped) {
      throw new BackendUnavailableException("native BLAS was not loaded: this JVM selected the "
          + "java backend first, and netlib chooses its library once per JVM");
    }
    if (nativeBlas == null) {
      throw new BackendUnavailableException("native BLAS unavailable: " + reason(nativeFailure),
          nativeFailure);
    }
    return nativeBlas;
  }

  /**
   * netlib's pure-Java BLAS. If netlib is not yet initialised, native loading is skipped, so that
   * choosing {@code java} never touches a native library (the way out when one crashes).
   */
  static synchronized JavaBLAS loadJava() {
    if (!initialised) {
      initialise(null, true);
    }
    return JavaBLAS.getInstance();
  }

  /**
   * netlib's LAPACK. When native BLAS came from a library file (the bundled OpenBLAS includes
   * LAPACK), LAPACK is loaded from the same file; otherwise the pure-Java LAPACK is used, without
   * probing the system for a native one.
   */
  static synchronized LAPACK lapack() {
    if (!initialised) {
      try {
        load(null);
      } catch (BackendUnavailableException e) {
        // pure-Java LAPACK below; the GEMM backend choice reports native's failure itself
      }
    }
    if (System.getProperty(LAPACK_PATH_PROPERTY) == null) {
      if (nativeBlas != null && source != Source.SYSTEM_NAME) {
        System.setProperty(LAPACK_PATH_PROPERTY, library);
      } else if (System.getProperty(LAPACK.ALLOW_NATIVE_LAPACK) == null) {
        System.setProperty(LAPACK.ALLOW_NATIVE_LAPACK, "false");
      }
    }
    LAPACK[] out = new LAPACK[1];
    withNetlibLogCaptured(LAPACK_LOGGER, () -> out[0] = LAPACK.getInstance());
    return out[0];
  }

  static synchronized Source source() {
    return source;
  }

  static synchronized String library() {
    return library;
  }

  /**
   * Sets OpenBLAS's thread count when we control the instance; returns the count in force or -1.
   * The count is process-wide and only set here, so asking again for the count last set makes no
   * call: OpenBLAS's own took 1–4 ms, and every task of a pass selects its backend.
   */
  static synchronized int setThreads(int threads) {
    if (source != Source.BUNDLED || nativeBlas == null) {
      return -1;
    }
    if (threads != threadsAsked) {
      openblas_nolapack.blas_set_num_threads(threads);
      threadsAsked = threads;
      threadsInForce = openblas_nolapack.blas_get_num_threads();
    }
    return threadsInForce;
  }

  /** Library version text for the INFO line. */
  static synchronized String version() {
    if (source == Source.BUNDLED) {
      String core = System.getenv("OPENBLAS_CORETYPE");
      String artifact = buildProperty("openblas.version");
      return "OpenBLAS " + artifact.split("-")[0] + " (bundled org.bytedeco:openblas " + artifact
          + "; kernels "
          + (core == null || core.isBlank() ? "auto-detected"
              : "forced by OPENBLAS_CORETYPE=" + core)
          + ")";
    }
    return "unknown version (user library; threads follow OPENBLAS_NUM_THREADS/MKL_NUM_THREADS="
        + firstEnv("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") + ")";
  }

  private static void initialise(String userPath, boolean skipNative) {
    String propertyPath = System.getProperty(PATH_PROPERTY);
    String propertyName = System.getProperty(NAME_PROPERTY);
    if (skipNative && userPath == null && propertyPath == null && propertyName == null
        && System.getProperty(BLAS.ALLOW_NATIVE_BLAS) == null) {
      initialised = true;
      nativeSkipped = true;
      System.setProperty(BLAS.ALLOW_NATIVE_BLAS, "false");
      withNetlibLogCaptured(NETLIB_LOGGER, JavaBLAS::getInstance);
      return;
    }
    // Resolve and preflight the library before netlib's one-time initialisation: a bad path
    // fails here with dlopen's reason and leaves netlib untouched, so a later call may still
    // load the bundled library.
    if (userPath != null || propertyPath != null) {
      String path = userPath != null ? userPath : propertyPath;
      preflight(path);
      source = Source.USER_PATH;
      library = path;
      System.setProperty(PATH_PROPERTY, path);
    } else if (propertyName != null) {
      source = Source.SYSTEM_NAME;
      library = propertyName;
    } else {
      source = Source.BUNDLED;
      library = extractBundled();
      System.setProperty(PATH_PROPERTY, library);
    }
    initialised = true;
    List<Throwable> seen = withNetlibLogCaptured(NETLIB_LOGGER, () -> {
      try {
        nativeBlas = NativeBLAS.getInstance();
      } catch (RuntimeException e) {
        nativeBlas = null;
      }
      return null;
    });
    if (nativeBlas == null) {
      nativeFailure = seen.isEmpty()
          ? new IllegalStateException("netlib could not load " + library) : seen.get(0);
    } else if (source == Source.SYSTEM_NAME) {
      library = propertyName + " (" + mappedFile(propertyName) + ")";
    }
  }

  private static String extractBundled() {
    try {
      Loader.load(openblas_nolapack.class);
    } catch (RuntimeException | LinkageError t) {
      throw new BackendUnavailableException("could not extract and load the bundled OpenBLAS "
          + "(org.bytedeco:openblas for " + Loader.getPlatform() + "): " + reason(t), t);
    }
    String path = Loader.getLoadedLibraries().get("openblas_nolapack@.0");
    if (path == null) {
      throw new BackendUnavailableException("JavaCPP loaded OpenBLAS but did not report its file; "
          + "loaded: " + Loader.getLoadedLibraries());
    }
    return path;
  }

  /** Loads the file ourselves first: a failure here carries dlopen's own message. */
  private static void preflight(String path) {
    if (!Files.isRegularFile(Path.of(path))) {
      throw new BackendUnavailableException("native BLAS unavailable: library " + path
          + " does not exist or is not a file (set by --native-lib or -D" + PATH_PROPERTY + ")");
    }
    try {
      System.load(Path.of(path).toAbsolutePath().toString());
    } catch (UnsatisfiedLinkError e) {
      throw new BackendUnavailableException("native BLAS unavailable: cannot load " + path + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Runs netlib's initialisation with its logger captured: its INFO line is not printed to the
   * console, and the Throwable it logs at FINE when native loading fails is kept as the reason.
   */
  private static <T> List<Throwable> withNetlibLogCaptured(String loggerName, Supplier<T> body) {
    Logger logger = Logger.getLogger(loggerName);
    List<Throwable> thrown = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getThrown() != null) {
          thrown.add(record.getThrown());
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Level oldLevel = logger.getLevel();
    boolean oldParent = logger.getUseParentHandlers();
    logger.setLevel(Level.FINE);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
    try {
      body.get();
    } finally {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(oldParent);
      logger.setLevel(oldLevel);
    }
    return thrown;
  }

  static String reason(Throwable t) {
    if (t == null) {
      return "unknown reason";
    }
    StringBuilder text = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (text.length() > 0) {
        text.append(": ");
      }
      text.append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
      if (c.getCause() == c) {
        break;
      }
    }
    return text.toString();
  }

  /** The file behind a library name, from the process's memory map (Linux), else "path unknown". */
  private static String mappedFile(String name) {
    String stem = name.contains(".so") ? name.substring(0, name.indexOf(".so")) : name;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int slash = line.indexOf('/');
        if (slash >= 0
            && Path.of(line.substring(slash)).getFileName().toString().startsWith(stem)) {
          return line.substring(slash);
        }
      }
    } catch (IOException | RuntimeException e) {
      return "path unknown";
    }
    return "path unknown";
  }

  private static String firstEnv(String... names) {
    for (String name : names) {
      String value = System.getenv(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return "unset";
  }

  static String buildProperty(String key) {
    return BuildProperties.VALUES.getProperty(key, "unknown");
  }

  /**
   * local-gemm's build properties, read once: every task of a pass selects its backend, and a
   * resource lookup over Spark's class path cost 1–4 ms each time.
   */
  private static final class BuildProperties {
    static final Properties VALUES = read();

    private static Properties read() {
      Properties properties = new Properties();
      try (InputStream in =
          NativeBlas.class.getResourceAsStream("/io/sparkgemm/local/build.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return properties;
    }
  }
}
