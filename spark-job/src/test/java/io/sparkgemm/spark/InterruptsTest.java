package io.sparkgemm.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a watched command's hook says when the JVM stops: the signal when one came, and no signal
 * when the JVM exits for another reason (in local mode Spark calls System.exit when an executor
 * thread dies of an OutOfMemoryError): a child JVM ({@link Probe}) each time.
 */
class InterruptsTest {

  /** Watches a command that never finishes; with "exit", exits as Spark does after an Error. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      try (Interrupts.Watch watch = Interrupts.watch(
          m -> System.err.println("interrupted: " + m))) {
        System.out.println("watching");
        System.out.flush();
        if (args.length > 0 && args[0].equals("exit")) {
          System.exit(52);
        }
        Thread.sleep(600_000);
      }
    }
  }

  private static Process probe(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Probe.class.getName()));
    command.addAll(List.of(args));
    // A child started here may inherit SIGINT ignored: restore its default (coreutils env).
    command.addAll(0, List.of("env", "--default-signal=INT"));
    return new ProcessBuilder(command).start();
  }

  @Test
  void aSignalIsNamed() throws Exception {
    Process child = probe();
    assertThat(new String(child.getInputStream().readNBytes(9), StandardCharsets.UTF_8))
        .isEqualTo("watching\n");
    assertThat(new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start()
        .waitFor()).isZero();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(err).contains("interrupted: stopped by SIGINT before the output was committed");
    assertThat(child.exitValue()).isEqualTo(130);
  }

  @Test
  void anExitThatIsNoSignalIsNotCalledOne() throws Exception {
    Process child = probe("exit");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(err).contains("interrupted: the JVM is exiting (not a signal: e.g. an executor "
        + "ran out of memory, see the log) before the output was committed")
        .doesNotContain("SIGINT");
    assertThat(child.exitValue()).isEqualTo(52);
  }
}
