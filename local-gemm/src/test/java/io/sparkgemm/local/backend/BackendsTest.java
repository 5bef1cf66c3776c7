package io.sparkgemm.local.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loading and choosing backends; native must load here (the bundled OpenBLAS), not skip. */
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
  void autoPicksNative() {
    assertThat(Backends.select(BackendOptions.named("auto")).name()).isEqualTo("native");
    assertThat(Backends.select(BackendOptions.defaults()).name()).isEqualTo("native");
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
        .containsExactly("native", "java", "reference");
    assertThat(all).allMatch(Backends.BackendStatus::isAvailable);
    assertThat(all).extracting(Backends.BackendStatus::autoPick)
        .containsExactly(true, false, false);
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
        .hasMessageContaining("expected one of auto, native, java, reference");
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
