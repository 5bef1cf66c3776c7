package io.sparkgemm.local;

import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.BackendUnavailableException;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.backend.ReferenceGemm;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The BLAS backends under test, loaded once for the whole test JVM. Native is loaded first on
 * purpose: netlib chooses its library once per JVM, so asking for the java backend first would
 * make native unavailable for every later test class. Every test that needs a BLAS backend gets
 * it from here. The cuda backend is loaded on first request; where it cannot load (no device, no
 * CUDA libraries) a test asking for it is skipped with the loader's reason, never passed.
 */
public final class TestBackends {
  private static List<GemmBackend> blas;
  private static GemmBackend cuda;
  private static String cudaReason;

  private TestBackends() {
  }

  /** native, then java; fails (does not skip) if native cannot load. */
  public static synchronized List<GemmBackend> blas() {
    if (blas == null) {
      GemmBackend nativeBlas = Backends.nativeBackend(BackendOptions.defaults());
      GemmBackend javaBlas = Backends.javaBackend();
      blas = List.of(nativeBlas, javaBlas);
    }
    return blas;
  }

  public static GemmBackend nativeBlas() {
    return blas().get(0);
  }

  /** {@code native}, {@code java}, {@code reference} or {@code cuda} (skips the test if absent). */
  public static GemmBackend byName(String name) {
    if (name.equals("reference")) {
      return ReferenceGemm.INSTANCE;
    }
    if (name.equals("cuda")) {
      return cudaOrSkip();
    }
    for (GemmBackend backend : blas()) {
      if (backend.name().equals(name)) {
        return backend;
      }
    }
    throw new IllegalArgumentException("No test backend named " + name);
  }

  /** The names of the BLAS backends: native, java, cuda (whose tests skip without a device). */
  public static List<String> blasNames() {
    return List.of("native", "java", "cuda");
  }

  /** The cuda backend, or the reason it cannot load (null when it loaded). */
  public static synchronized String cudaUnavailableReason() {
    if (cuda == null && cudaReason == null) {
      try {
        cuda = Backends.cudaBackend(BackendOptions.named("cuda"));
      } catch (BackendUnavailableException e) {
        cudaReason = e.getMessage();
      }
    }
    return cudaReason;
  }

  /** The cuda backend; skips the calling test, with the loader's reason, when it cannot load. */
  public static GemmBackend cudaOrSkip() {
    String reason = cudaUnavailableReason();
    Assumptions.assumeTrue(reason == null, () -> reason);
    return cuda;
  }
}
