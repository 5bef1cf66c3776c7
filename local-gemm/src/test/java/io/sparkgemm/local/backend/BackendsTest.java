package io.sparkgemm.local.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkgemm.local.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loading and choosing backends; native must load here (the bundled OpenBLAS), not skip. Where
 * no CUDA device is present, naming cuda must fail with the loaders' reasons.
 */
class BackendsTest {

  @BeforeAll
  static void loadNativeFirst() {
    TestBackends.blas();
  }

  @Test
  void nativeLoadsTheBundledOpenBlas() {
    BackendInfo info = Backends.nativeBackend(BackendOptions.defaults()).info();
    assertThat(info.name()).isEqualTo("native");
    assertThat(info.implementation()).contains("bundled OpenBLAS");
    assertThat(Files.isRegularFile(Path.of(info.library())))
        .as("library file %s exists", info.library()).isTrue();
    assertThat(Path.of(info.library()).getFileName().toString()).contains("openblas");
    assertThat(info.version()).contains("OpenBLAS").contains("0.3.31");
    assertThat(info.threads()).isEqualTo(1);
    assertThat(info.describe()).startsWith("native (").endsWith(", 1 thread)")
        .contains(info.library());
  }

  @Test
  void autoPicksCudaWhenItLoadsElseNative() {
    String expected = TestBackends.cudaUnavailableReason() == null ? "cuda" : "native";
    assertThat(Backends.select(BackendOptions.named("auto")).name()).isEqualTo(expected);
    assertThat(Backends.select(BackendOptions.defaults()).name()).isEqualTo(expected);
  }

  @Test
  void namedCudaFailsWithEveryLoadersReason() {
    String reason = TestBackends.cudaUnavailableReason();
    assumeTrue(reason != null, "a CUDA device is present: the cuda backend loads here");
    assertThatThrownBy(() -> Backends.select(BackendOptions.named("cuda")))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageStartingWith("no CUDA device: ")
        .hasMessageContaining("javacpp: ")
        .hasMessageContaining("jcublas: ")
        .hasMessageContaining("libcublas.so.12");
    assertThat(reason).isEqualTo(Backends.probe(BackendOptions.defaults()).get(3).reason());
  }

  @Test
  void namedBackendsAreTheOnesAskedFor() {
    assertThat(Backends.select(BackendOptions.named("native")).name()).isEqualTo("native");
    GemmBackend java = Backends.select(BackendOptions.named("java"));
    assertThat(java.name()).isEqualTo("java");
    assertThat(java.info().library()).isEqualTo("-");
    assertThat(java.info().implementation()).startsWith("netlib ");
    assertThat(Backends.select(BackendOptions.named("reference")))
        .isSameAs(ReferenceGemm.INSTANCE);
  }

  @Test
  void probeListsEveryBackendAndMarksTheAutoPick() {
    List<Backends.BackendStatus> all = Backends.probe(BackendOptions.defaults());
    assertThat(all).extracting(Backends.BackendStatus::name)
        .containsExactly("native", "java", "reference", "cuda");
    assertThat(all.subList(0, 3)).allMatch(Backends.BackendStatus::isAvailable);
    boolean cuda = TestBackends.cudaUnavailableReason() == null;
    assertThat(all.get(3).isAvailable()).isEqualTo(cuda);
    assertThat(all).extracting(Backends.BackendStatus::autoPick)
        .containsExactly(!cuda, false, false, cuda);
    assertThat(all.get(0).info().version()).contains("OpenBLAS");
  }

  @Test
  void anotherLibraryAfterLoadingIsRefusedWithTheReason() {
    BackendOptions other = new BackendOptions("native", 1, "/nonexistent/libblas.so.3");
    assertThatThrownBy(() -> Backends.nativeBackend(other))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("Cannot load BLAS from /nonexistent/libblas.so.3")
        .hasMessageContaining("already loaded")
        .hasMessageContaining("once per JVM");
    assertThatThrownBy(() -> Backends.select(other))
        .isInstanceOf(BackendUnavailableException.class);
  }

  @Test
  void optionsNormaliseNamesAndRejectBadValues() {
    assertThat(BackendOptions.named(" Native ").name()).isEqualTo("native");
    assertThat(new BackendOptions(null, 1, null).name()).isEqualTo("auto");
    assertThat(new BackendOptions("java", 4, "  ").nativeLibPath()).isNull();
    assertThat(BackendOptions.defaults()).isEqualTo(new BackendOptions("auto", 1, null));
    assertThatThrownBy(() -> BackendOptions.named("cuda-x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown backend 'cuda-x'")
        .hasMessageContaining("expected one of auto, native, java, reference, cuda");
    assertThat(BackendOptions.named("CUDA").name()).isEqualTo("cuda");
    BackendOptions gpu = BackendOptions.named("cuda").withDevice(2).withAllowTf32(true)
        .withDeviceCacheBytes(1L << 30);
    assertThat(gpu).isEqualTo(new BackendOptions("cuda", 1, null, 2, true, 1L << 30));
    assertThat(BackendOptions.defaults().allowTf32()).isFalse();
    assertThat(BackendOptions.defaults().device()).isZero();
    assertThatThrownBy(() -> BackendOptions.defaults().withDevice(-1))
        .hasMessageContaining("CUDA device must be >= 0, got -1");
    assertThatThrownBy(() -> BackendOptions.defaults().withDeviceCacheBytes(-5))
        .hasMessageContaining("budget must be >= 0 bytes, got -5");
    assertThatThrownBy(() -> new BackendOptions("native", 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BLAS threads must be >= 1, got 0");
    assertThatThrownBy(() -> new BackendOptions("auto", -3, null))
        .hasMessageContaining("got -3");
  }

  @Test
  void referenceInfo() {
    BackendInfo info = ReferenceGemm.INSTANCE.info();
    assertThat(info.name()).isEqualTo("reference");
    assertThat(info.describe())
        .isEqualTo("reference (naive triple loop, spark-gemm, from -, 1 thread)");
    assertThat(new BackendInfo("x", "y", "-", "v", -1).describe()).endsWith("threads unknown)");
  }
}
