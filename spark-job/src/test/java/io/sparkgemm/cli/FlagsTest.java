package io.sparkgemm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlagsTest {
  @Test
  void parameterNamesBecomeFlags() {
    assertThat(Flags.inFlags("blockRows must be >= 1 (or 0 for automatic), got -1"))
        .isEqualTo("--block-rows must be >= 1 (or 0 for automatic), got -1");
    assertThat(Flags.inFlags("nesterov needs momentum > 0"))
        .isEqualTo("--nesterov needs --momentum > 0");
    assertThat(Flags.inFlags("give labelsCol COLUMN or labelsPath FILE.npy"))
        .isEqualTo("give --labels-col COLUMN or --labels FILE.npy");
    assertThat(Flags.inFlags("featuresCols and featuresCol"))
        .isEqualTo("--features-cols and --features-col");
  }

  /** Paths, file names, quoted column names and flags are the user's words: left alone. */
  @Test
  void pathsQuotedNamesAndFlagsAreLeftAlone() {
    String message = "/data/overwrite/x.npy: no column 'idCol'; tol.npy, --tol, maxIterations, "
        + "C:\\\\runs\\\\partitions";
    assertThat(Flags.inFlags(message)).isEqualTo(message);
    assertThat(Flags.inFlags(null)).isNull();
  }
}
