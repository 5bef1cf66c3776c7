package io.sparkgemm.spark.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.DType;
import io.sparkgemm.local.backend.BackendOptions;
import io.sparkgemm.local.loss.Loss;
import org.junit.jupiter.api.Test;

class PassSpecTest {
  /** A forward pass is its own kind, with the defaults a forward command runs. */
  @Test
  void aForwardPassIsItsOwnKind() {
    PassSpec forward = PassSpec.forward().build();
    assertThat(forward.kind()).isEqualTo(PassSpec.Kind.FORWARD);
    assertThat(forward.isForward()).isTrue();
    assertThat(forward.backward()).isFalse();
    assertThat(forward.keepOutput()).isTrue();
    assertThat(forward.inputGradient()).isFalse();
    assertThat(forward.dtype()).isEqualTo(DType.FLOAT64);
    assertThat(forward.backend()).isEqualTo(BackendOptions.defaults());
    assertThat(forward.describe()).isEqualTo("spark-gemm forward: Y = X W + b");
  }

  @Test
  void aBackwardPassStartsFromTheDefaults() {
    PassSpec backward = PassSpec.backward(Loss.SUPPLIED).build();
    assertThat(backward.kind()).isEqualTo(PassSpec.Kind.BACKWARD);
    assertThat(backward.loss()).isEqualTo(Loss.SUPPLIED);
    assertThat(backward.inputGradient()).isFalse();
    assertThat(backward.keepOutput()).isFalse();
    assertThat(backward.keepsOutputs()).isFalse();
    assertThat(backward.treeDepth()).isEqualTo(Integer.parseInt(PassSpec.TREE_DEPTH));
    assertThat(backward.shardThreshold()).isEqualTo(64L << 20)
        .isEqualTo(PassSpec.SHARD_THRESHOLD_BYTES);
    PassSpec dx = PassSpec.backward(Loss.MSE).inputGradient(true).treeDepth(2).build();
    assertThat(dx.keepsOutputs()).isTrue();
    assertThat(dx.toBuilder().shardThreshold(1).build())
        .usingRecursiveComparison().ignoringFields("shardThreshold").isEqualTo(dx);
  }

  /** What only a backward pass does is refused on a forward one, naming the parameter. */
  @Test
  void aForwardPassRefusesWhatOnlyABackwardPassDoes() {
    assertRefused(() -> PassSpec.forward().inputGradient(true).build(), "inputGradient",
        "inputGradient is for a backward pass; a forward pass computes Y only (dX = G Wᵀ needs "
            + "a loss or a supplied G)");
    assertRefused(() -> PassSpec.forward().treeDepth(2).build(), "treeDepth",
        "treeDepth is for a backward pass; a forward pass computes Y only (nothing is reduced)");
    assertRefused(() -> PassSpec.forward().shardThreshold(1).build(), "shardThreshold",
        "shardThreshold is for a backward pass; a forward pass computes Y only (nothing is "
            + "reduced)");
    assertRefused(() -> PassSpec.forward().keepOutput(false).softmax(true).build(), "softmax",
        "softmax replaces the kept Y by its row-wise softmax, so it needs keepOutput (the pass "
            + "keeps no Y)");
    assertRefused(() -> PassSpec.backward(Loss.MSE).treeDepth(-1).build(), "treeDepth",
        "treeDepth must be >= 1 (or 0 to choose), got -1");
    assertRefused(() -> PassSpec.backward(Loss.MSE).shardThreshold(0).build(), "shardThreshold",
        "shardThreshold must be > 0 bytes, got 0");
    assertThatThrownBy(() -> PassSpec.backward(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("A backward pass needs a loss head (or Loss.SUPPLIED)");
  }

  private static void assertRefused(Runnable build, String parameter, String message) {
    assertThatThrownBy(build::run).isInstanceOfSatisfying(BadParameterException.class,
        e -> assertThat(e.parameter()).isEqualTo(parameter)).hasMessage(message);
  }
}
