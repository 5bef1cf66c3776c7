package io.sparkgemm.local.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.sparkgemm.local.backend.BackendUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Loading the CUDA bindings: refused cleanly, with the loader's reason, where they cannot load. */
class CudaLoaderTest {

  /** True when some folder the dynamic loader searches holds the CUDA 12 cuBLAS. */
  static boolean hasCublas12() {
    String ld = System.getenv("LD_LIBRARY_PATH");
    Stream<String> folders = Stream.concat(
        ld == null ? Stream.empty() : Stream.of(ld.split(":")),
        Stream.of("/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/local/cuda/lib64",
            "/usr/local/cuda-12/lib64"));
    boolean inFolders = folders.filter(f -> !f.isBlank())
        .anyMatch(f -> Files.exists(Path.of(f, "libcublas.so.12")));
    try {
      return inFolders || new String(Files.readAllBytes(Path.of("/etc/ld.so.cache")),
          StandardCharsets.ISO_8859_1).contains("libcublas.so.12");
    } catch (IOException e) {
      return inFolders;
    }
  }

  @Test
  void jcublasIsRefusedWithTheLoadersReasonWithoutCuda12() {
    assumeFalse(hasCublas12(), "libcublas.so.12 is present: JCublas can load here");
    assertThatThrownBy(() -> CudaLoader.load(CudaLoader.Binding.JCUBLAS))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageStartingWith("jcublas: cannot load org.jcuda:jcublas (CUDA 12: ")
        .hasMessageMatching("jcublas: cannot load .*: lib\\S+\\.so\\S* not found \\(needed by "
            + "lib\\S+: cannot open shared object file\\)");
    // a second try fails the same way (no half-initialised state turns it into another error)
    assertThatThrownBy(() -> CudaLoader.load(CudaLoader.Binding.JCUBLAS))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageStartingWith("jcublas: cannot load")
        .hasMessageNotContaining("Could not initialize class");
  }

  @Test
  void reasonIsOneLineWithTheCauseChain() {
    Throwable t = new UnsatisfiedLinkError("no jnicublas in\njava.library.path");
    assertThat(CudaLoader.reason(t)).isEqualTo(
        "UnsatisfiedLinkError: no jnicublas in java.library.path");
    Throwable missing = new UnsatisfiedLinkError("Error while loading native library \"JCublas2\"\n"
        + "java.lang.UnsatisfiedLinkError: /tmp/libJCublas2-12.6.0-linux-x86_64.so: "
        + "libcublas.so.12: cannot open shared object file: No such file or directory");
    assertThat(CudaLoader.reason(missing)).isEqualTo("libcublas.so.12 not found (needed by "
        + "libJCublas2-12.6.0-linux-x86_64.so: cannot open shared object file)");
    Throwable chained = new RuntimeException("outer", new IllegalStateException("inner"));
    assertThat(CudaLoader.reason(chained))
        .isEqualTo("RuntimeException: outer <- IllegalStateException: inner");
    assertThat(CudaLoader.reason(new RuntimeException("x".repeat(1000)))).hasSizeLessThan(450)
        .endsWith("...");
  }

  @Test
  void cudaVersionsReadAsMajorDotMinor() {
    assertThat(CudaLoader.versionText(13000)).isEqualTo("13.0");
    assertThat(CudaLoader.versionText(12060)).isEqualTo("12.6");
    assertThat(CudaLoader.versionText(0)).isEqualTo("unknown");
  }
}
