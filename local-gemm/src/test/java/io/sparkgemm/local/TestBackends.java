package io.sparkgemm.local;

import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import io.sparkgemm.local.backend.GemmBackend;
import io.sparkgemm.local.backend.ReferenceGemm;
import java.util.List;

/**
 * The BLAS backends under test, loaded once for the whole test JVM. Native is loaded first on
 * purpose: netlib chooses its library once per JVM, so asking for the java backend first would
 * make native unavailable for every later test class. Every test that needs a BLAS backend gets
 * it from here.
 */
public final class TestBackends {
  private static List<GemmBackend> blas;

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

  /** {@code native}, {@code java} or {@code reference}. */
  public static GemmBackend byName(String name) {
    if (name.equals("reference")) {
      return ReferenceGemm.INSTANCE;
    }
    for (GemmBackend backend : blas()) {
      if (backend.name().equals(name)) {
        return backend;
      }
    }
    throw new IllegalArgumentException("No test backend named " + name);
  }

  /** The names of the BLAS backends: native, java. */
  public static List<String> blasNames() {
    return List.of("native", "java");
  }
}
