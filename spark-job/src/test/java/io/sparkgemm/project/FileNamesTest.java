package io.sparkgemm.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project checks out on file systems that ignore case (macOS, Windows): no two files or
 * folders of the source tree differ by case alone.
 */
class FileNamesTest {

  @Test
  void noTwoPathsDifferByCaseAlone() throws IOException {
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    Path root = Files.exists(here.resolve("spark-job")) ? here : here.getParent();
    Map<String, Path> seen = new HashMap<>();
    List<String> clashes = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(p -> !skipped(root.relativize(p))).forEach(p -> {
        String key = root.relativize(p).toString().toLowerCase(Locale.ROOT);
        Path other = seen.putIfAbsent(key, p);
        if (other != null) {
          clashes.add(root.relativize(other) + " and " + root.relativize(p));
        }
      });
    }
    assertThat(seen).as("the walk found the sources").containsKey(
        "spark-job/src/main/java/io/sparkgemm/cli/sparkgemmcli.java");
    assertThat(clashes).as("paths that differ by case alone").isEmpty();
  }

  /** Build outputs and tool folders: not part of a checkout. */
  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.equals("target") || name.equals(".git")) {
        return true;
      }
    }
    return false;
  }
}
