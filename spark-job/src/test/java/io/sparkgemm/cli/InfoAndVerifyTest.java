package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoAndVerifyTest {

  @Test
  void infoFindsNativeOpenBlasAndAutoPicksIt() {
    CliRun run = CliRun.of("info");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("native     available  netlib JNIBLAS over bundled OpenBLAS")
        .contains("version:   OpenBLAS 0.3.31")
        .contains("java       available  netlib VectorBLAS")
        .contains("auto picks: native");
    String library = run.out().lines().filter(l -> l.contains("library:") && l.contains("/"))
        .findFirst().orElseThrow().replaceFirst(".*library:\\s+", "");
    assertThat(Path.of(library)).isRegularFile();
  }

  @Test
  void verifyPrintsTheWorkedExampleAndPassesEveryCheck() {
    CliRun run = CliRun.of("verify", "--backend", "native");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("Y:\n  [2.5, -1]\n  [-0.5, 1]\n  [1.5, 2]")
        .contains("dL/dW:\n  [2, 2]\n  [2, 2]")
        .contains("dL/dX:\n  [3, 2]\n  [3, 2]\n  [3, 2]")
        .contains("dL/db: [3, 3]")
        .contains("PASS  worked example float64")
        .contains("PASS  worked example float32")
        .contains("PASS  mean-loss scaling")
        .contains("PASS  finite differences softmax-ce float64")
        .contains("PASS  finite differences mse        float32")
        .contains("verify: 13 checks passed, 0 failed")
        .doesNotContain("FAIL");
  }

  @Test
  void verifyPassesOnThePureJavaBackendToo() {
    CliRun run = CliRun.of("verify", "--backend", "java");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("Backend: java (netlib VectorBLAS")
        .contains("13 checks passed, 0 failed");
  }

  @Test
  void unknownBackendIsBadUsage() {
    CliRun run = CliRun.of("verify", "--backend", "gpu-magic");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown backend 'gpu-magic'")
        .contains("auto, native, java, reference");
  }

  @Test
  void zeroBlasThreadsIsBadUsage() {
    CliRun run = CliRun.of("info", "--blas-threads", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("BLAS threads must be >= 1, got 0");
  }

  @Test
  void optionsCanComeFromSparkGemmProperties() {
    System.setProperty("spark.gemm.blas-threads", "0");
    try {
      CliRun run = CliRun.of("info");
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.err()).contains("BLAS threads must be >= 1, got 0");
      assertThat(CliRun.of("info", "--blas-threads", "1").exitCode()).isZero();
    } finally {
      System.clearProperty("spark.gemm.blas-threads");
    }
  }

  @Test
  void missingCommandAndUnknownOptionAreBadUsage() {
    assertThat(CliRun.of().exitCode()).isEqualTo(2);
    CliRun unknown = CliRun.of("info", "--no-such-option");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--no-such-option'");
  }

  @Test
  void helpWorksEverywhere() {
    assertThat(CliRun.of("--help").out()).contains("info").contains("verify");
    assertThat(CliRun.of("verify", "--help").out()).contains("--backend").contains("--seed");
    assertThat(CliRun.of("info", "--help").exitCode()).isZero();
  }

  @Test
  void namedBackendThatCannotLoadFailsLoudly(@TempDir Path dir)
      throws Exception {
    Path missing = dir.resolve("libnothing.so");
    CliRun run = CliRun.of("verify", "--backend", "native", "--native-lib", missing.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains(missing.toString());
    assertThat(Files.exists(missing)).isFalse();
  }
}
