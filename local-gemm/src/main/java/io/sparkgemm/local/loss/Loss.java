package io.sparkgemm.local.loss;

import java.util.Arrays;
import java.util.List;

/** The loss heads by name; {@link LossHeads#of(Loss, long)} builds one for a batch. */
public enum Loss {
  SUM("sum", false),
  MEAN("mean", true),
  MSE("mse", true),
  SOFTMAX_CE("softmax-ce", true),
  SUPPLIED("supplied", false);

  private final String label;
  private final boolean averages;

  Loss(String label, boolean averages) {
    this.label = label;
    this.averages = averages;
  }

  /** The name users type: {@code sum, mean, mse, softmax-ce} or {@code supplied}. */
  public String label() {
    return label;
  }

  /** Whether L is averaged over the n rows (so a batch needs at least one). */
  public boolean averages() {
    return averages;
  }

  /** Whether Y has a row of k values per label row: targets (mse) or a supplied G. */
  public boolean rowsOfK() {
    return this == MSE || this == SUPPLIED;
  }

  /** The labels of {@code losses}, in order. */
  public static List<String> labels(List<Loss> losses) {
    return losses.stream().map(Loss::label).toList();
  }

  /** The loss called {@code label} (exactly as {@link #label()} spells it). */
  public static Loss parse(String label) {
    for (Loss loss : values()) {
      if (loss.label.equals(label)) {
        return loss;
      }
    }
    throw new IllegalArgumentException("Unknown loss '" + label + "': expected one of "
        + String.join(", ", labels(Arrays.asList(values()))));
  }
}
