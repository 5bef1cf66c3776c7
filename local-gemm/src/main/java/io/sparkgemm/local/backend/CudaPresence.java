package io.sparkgemm.local.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cheap check, for {@code auto} only, that a CUDA driver could be present: {@code libcuda.so.1}
 * in {@code LD_LIBRARY_PATH}, the dynamic loader's cache or the usual folders. Without it
 * {@code auto} does not try to load a CUDA binding at all (no jar extraction, no JNI), and says
 * why. Naming {@code cuda} always tries the real load.
 */
final class CudaPresence {
  static final String DRIVER = "libcuda.so.1";
  private static final List<String> USUAL = List.of("/usr/lib64", "/usr/lib/x86_64-linux-gnu",
      "/usr/lib", "/usr/local/cuda/compat", "/usr/lib/wsl/lib");

  private CudaPresence() {
  }

  /**
   * Null when the driver library was found, else the reason it was not; looked up once per JVM
   * (every task of a pass selects its backend, and reading the loader cache each time cost
   * milliseconds).
   */
  static String missingDriver() {
    return Once.MISSING;
  }

  /** The look-up, made when first asked for. */
  private static final class Once {
    static final String MISSING = lookUp();
  }

  private static String lookUp() {
    List<String> folders = new ArrayList<>();
    String ld = System.getenv("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String folder : ld.split(":")) {
        if (!folder.isBlank()) {
          folders.add(folder);
        }
      }
    }
    folders.addAll(USUAL);
    for (String folder : folders) {
      if (Files.exists(Path.of(folder, DRIVER))) {
        return null;
      }
    }
    try {
      byte[] cache = Files.readAllBytes(Path.of("/etc/ld.so.cache"));
      if (new String(cache, StandardCharsets.ISO_8859_1).contains(DRIVER)) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      // no loader cache: the folders above decide
    }
    return "no CUDA driver: " + DRIVER + " is not in LD_LIBRARY_PATH, the loader cache or "
        + String.join(", ", USUAL);
  }
}
