package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.backend.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BLAS the user points at, by file (--native-lib) or by name for dlopen (netlib's nativeLib
 * property, as for a system libblas.so.3), in a fresh JVM each since netlib loads once per JVM.
 * The library is a copy of the bundled OpenBLAS placed elsewhere, standing in for MKL or a
 * distribution's BLAS.
 */
class UserBlasLibraryTest {
  @TempDir
  static Path libDir;

  static Path library;

  @BeforeAll
  static void copyBundledOpenBlas() throws IOException {
    Path bundled = Path.of(Backends.nativeBackend(BackendOptions.defaults()).info().library());
    for (Path companion : List.of(Path.of("libgfortran.so.5"), Path.of("libquadmath.so.0"),
        Path.of("libgcc_s.so.1"))) {
      Files.copy(bundled.resolveSibling(companion), libDir.resolve(companion));
    }
    library = libDir.resolve("libopenblas.so.0");
    Files.copy(bundled, library);
  }

  @Test
  void userLibraryFileIsLoadedAndReported() throws Exception {
    Result r = runCli(List.of(), Map.of(), "verify", "--backend", "native", "--native-lib",
        library.toString());

    assertThat(r.code).as(r.output).isZero();
    assertThat(r.output).contains("Backend: native (netlib JNIBLAS, unknown version (user library")
        .contains("from " + library)
        .contains("13 checks passed, 0 failed");
  }

  @Test
  void libraryNameResolvedByTheDynamicLinkerIsLoadedAndReported() throws Exception {
    Result r = runCli(List.of("-Ddev.ludovic.netlib.blas.nativeLib=libopenblas.so.0"),
        Map.of("LD_LIBRARY_PATH", libDir.toString()), "verify", "--backend", "native");

    assertThat(r.code).as(r.output).isZero();
    assertThat(r.output).contains("from libopenblas.so.0 (" + library + ")")
        .contains("13 checks passed, 0 failed");
  }

  private record Result(int code, String output) {
  }

  private static Result runCli(List<String> jvmArgs, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules=jdk.incubator.vector");
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SparkGemmCli.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("CLI did not finish in 120 s:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }
}
