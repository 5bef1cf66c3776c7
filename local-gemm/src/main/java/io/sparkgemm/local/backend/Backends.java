package io.sparkgemm.local.backend;

import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import io.sparkgemm.local.cuda.CudaBackend;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one selection point for GEMM backends. {@code auto} takes cuda when a CUDA device is
 * usable (products too small to be worth the copies stay on the CPU), else native BLAS, else the
 * pure-Java BLAS with a WARN giving the loader's reason; the INFO line says why cuda was not
 * taken. A named backend that cannot load fails with that reason. The choice is logged once per
 * JVM and backend as one INFO line.
 */
public final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
  private static String lastLogged;

  private Backends() {
  }

  /** The backend for these options, logged. */
  public static GemmBackend select(BackendOptions options) {
    GemmBackend backend;
    String note = "";
    switch (options.name()) {
      case "native":
        backend = nativeBackend(options);
        break;
      case "java":
        backend = javaBackend();
        break;
      case "reference":
        backend = ReferenceGemm.INSTANCE;
        break;
      case "cuda":
        backend = cudaBackend(options);
        break;
      default:
        GemmBackend cpu;
        try {
          cpu = nativeBackend(options);
        } catch (BackendUnavailableException e) {
          LOG.warn("Backend auto: native BLAS unavailable ({}); falling back to java, several "
              + "times slower at level 3", e.getMessage());
          cpu = javaBackend();
        }
        try {
          backend = new RoutedGemm(autoCuda(options), cpu, RoutedGemm.DEFAULT_MIN_MULTIPLY_ADDS);
        } catch (BackendUnavailableException e) {
          backend = cpu;
          note = "; cuda unavailable: " + e.getMessage();
        }
    }
    logOnce(backend, note);
    return backend;
  }

  /**
   * cuBLAS on {@code options.device()} through the CUDA binding that loads (JavaCPP for CUDA 13,
   * JCublas for CUDA 12).
   *
   * @throws BackendUnavailableException with every binding's reason
   */
  public static GemmBackend cudaBackend(BackendOptions options) {
    try {
      return CudaBackend.open(options);
    } catch (LinkageError e) {
      throw new BackendUnavailableException("cuda: " + NativeBlas.reason(e), e);
    }
  }

  /** cuda for {@code auto}: not even tried when no CUDA driver library is present. */
  private static GemmBackend autoCuda(BackendOptions options) {
    String missing = CudaPresence.missingDriver();
    if (missing != null) {
      throw new BackendUnavailableException(missing);
    }
    return cudaBackend(options);
  }

  /** Native BLAS through netlib's JNI, with {@code options.threads()} OpenBLAS threads. */
  public static GemmBackend nativeBackend(BackendOptions options) {
    NativeBLAS blas = NativeBlas.load(options.nativeLibPath());
    int threads = NativeBlas.setThreads(options.threads());
    String implementation = "netlib " + blas.getClass().getSimpleName()
        + (NativeBlas.source() == NativeBlas.Source.BUNDLED ? " over bundled OpenBLAS" : "");
    return new NetlibGemm(blas, new BackendInfo("native", implementation, NativeBlas.library(),
        NativeBlas.version(), threads));
  }

  /** netlib's pure-Java BLAS (VectorBLAS when the Vector API module is present). */
  public static GemmBackend javaBackend() {
    JavaBLAS blas = NativeBlas.loadJava();
    String kind = blas.getClass().getSimpleName();
    String note = kind.equals("VectorBLAS") ? "Vector API"
        : "scalar; add --add-modules=jdk.incubator.vector for the Vector API";
    return new NetlibGemm(blas, new BackendInfo("java", "netlib " + kind + " (" + note + ")",
        "-", "netlib " + NativeBlas.buildProperty("netlib.version"), 1));
  }

  /** What {@code info} shows: every backend with its details or the reason it is unavailable. */
  public static List<BackendStatus> probe(BackendOptions options) {
    List<BackendStatus> all = new ArrayList<>();
    String autoPick;
    BackendStatus cuda;
    try {
      cuda = BackendStatus.available(cudaBackend(options).info());
    } catch (BackendUnavailableException e) {
      cuda = BackendStatus.unavailable("cuda", e.getMessage());
    }
    try {
      all.add(BackendStatus.available(nativeBackend(options).info()));
      autoPick = "native";
    } catch (BackendUnavailableException e) {
      all.add(BackendStatus.unavailable("native", e.getMessage()));
      autoPick = "java";
    }
    all.add(BackendStatus.available(javaBackend().info()));
    all.add(BackendStatus.available(ReferenceGemm.INSTANCE.info()));
    all.add(cuda);
    if (cuda.isAvailable()) {
      autoPick = "cuda";
    }
    for (int i = 0; i < all.size(); i++) {
      BackendStatus s = all.get(i);
      all.set(i, s.withAutoPick(s.name().equals(autoPick)));
    }
    return all;
  }

  private static synchronized void logOnce(GemmBackend backend, String note) {
    String line = backend.info().describe() + note;
    if (!line.equals(lastLogged)) {
      lastLogged = line;
      LOG.info("Backend: {}", line);
    }
  }

  /** One row of {@link #probe}. */
  public record BackendStatus(String name, boolean isAvailable, BackendInfo info, String reason,
      boolean autoPick) {
    static BackendStatus available(BackendInfo info) {
      return new BackendStatus(info.name(), true, info, null, false);
    }

    static BackendStatus unavailable(String name, String reason) {
      return new BackendStatus(name, false, null, reason, false);
    }

    BackendStatus withAutoPick(boolean pick) {
      return new BackendStatus(name, isAvailable, info, reason, pick);
    }
  }
}
