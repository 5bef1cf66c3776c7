package io.sparkgemm.spark.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rows stacked into blocks: every value lands at row r, column c of its block (row-major), ids
 * and labels stay with their rows, and bad rows are named by id. Expected values are written out
 * from the rows themselves.
 */
class BlockBuilderTest {

  /** Row id i has features (10i, 10i + 1, 10i + 2) and targets (-i, 0.5i). */
  private static double[] features(long id) {
    return new double[] {10 * id, 10 * id + 1, 10 * id + 2};
  }

  private static double[] targets(long id) {
    return new double[] {-id, 0.5 * id};
  }

  /** Feeds ids {@code from..to-1} and returns every block, the last one partial. */
  private static List<LabeledBlock> stack(BlockBuilder builder, long from, long to,
      LabelKind kind) {
    List<LabeledBlock> blocks = new ArrayList<>();
    for (long id = from; id < to; id++) {
      builder.add(id, features(id), 0, 3);
      switch (kind) {
        case TARGETS -> builder.setTargets(targets(id), 0, 2);
        case UPSTREAM -> builder.setUpstream(targets(id), 0, 2);
        case CLASSES -> builder.setClass((int) (id % 4));
        default -> {
        }
      }
      if (builder.endRow()) {
        blocks.add(builder.build());
      }
    }
    if (!builder.isEmpty()) {
      blocks.add(builder.build());
    }
    return blocks;
  }

  @Test
  void rowsAreStackedRowMajorWithTheirIdsAndTargets() {
    BlockBuilder builder = new BlockBuilder(DType.FLOAT64, 3, 4, LabelKind.TARGETS, 2, "x", false);
    List<LabeledBlock> blocks = stack(builder, 100, 110, LabelKind.TARGETS);
    assertThat(blocks).extracting(LabeledBlock::numRows).containsExactly(4, 4, 2);
    long id = 100;
    for (LabeledBlock block : blocks) {
      for (int r = 0; r < block.numRows(); r++, id++) {
        assertThat(block.x().rowId(r)).isEqualTo(id);
        for (int c = 0; c < 3; c++) {
          assertThat(block.x().doubles()[r * 3 + c]).isEqualTo(10.0 * id + c);
        }
        assertThat(block.targets().doubles()[r * 2]).isEqualTo(-id);
        assertThat(block.targets().doubles()[r * 2 + 1]).isEqualTo(0.5 * id);
      }
      assertThat(block.classes()).isNull();
      assertThat(block.upstream()).isNull();
      // arrays trimmed to the rows held: X, ids and targets
      assertThat(block.x().doubles()).hasSize(block.numRows() * 3);
      assertThat(block.payloadBytes()).isEqualTo(block.numRows() * (3 * 8 + 8 + 2 * 8L));
    }
    assertThat(id).isEqualTo(110);
  }

  @Test
  void float32BlocksRoundEachValueOnce() {
    BlockBuilder builder = new BlockBuilder(DType.FLOAT32, 3, 8, LabelKind.UPSTREAM, 2, "x",
        false);
    LabeledBlock block = stack(builder, 0, 3, LabelKind.UPSTREAM).get(0);
    double[] row = {0.1, 1.0 / 3, 1e-40};
    builder.add(7, row, 0, 3);
    builder.setUpstream(targets(7), 0, 2);
    builder.endRow();
    LabeledBlock odd = builder.build();
    assertThat(block.x().dtype()).isEqualTo(DType.FLOAT32);
    assertThat(block.x().floats()).containsExactly(0, 1, 2, 10, 11, 12, 20, 21, 22);
    assertThat(block.upstream().dtype()).isEqualTo(DType.FLOAT32);
    assertThat(block.upstream().floats()).containsExactly(0, 0, -1, 0.5f, -2, 1);
    assertThat(odd.x().floats()).containsExactly((float) 0.1, (float) (1.0 / 3), (float) 1e-40);
  }

  @Test
  void classIdsStayWithTheirRows() {
    BlockBuilder builder = new BlockBuilder(DType.FLOAT64, 3, 3, LabelKind.CLASSES, 0, "x", false);
    List<LabeledBlock> blocks = stack(builder, 5, 12, LabelKind.CLASSES);
    assertThat(blocks.get(0).classes()).containsExactly(1, 2, 3);
    assertThat(blocks.get(1).classes()).containsExactly(0, 1, 2);
    assertThat(blocks.get(2).classes()).containsExactly(3);
  }

  @Test
  void aBlockBiggerThanTheFirstAllocationGrowsAndKeepsEveryRow() {
    int rows = 10_000;
    BlockBuilder builder = new BlockBuilder(DType.FLOAT64, 3, rows, LabelKind.NONE, 0, "x", false);
    List<LabeledBlock> blocks = stack(builder, 0, rows, LabelKind.NONE);
    assertThat(blocks).hasSize(1);
    double[] x = blocks.get(0).x().doubles();
    assertThat(x).hasSize(3 * rows);
    for (int r = 0; r < rows; r++) {
      assertThat(blocks.get(0).x().rowId(r)).isEqualTo(r);
      assertThat(x[3 * r + 2]).isEqualTo(10.0 * r + 2);
    }
  }

  @Test
  void theBuilderReadsFeaturesFromAnOffset() {
    BlockBuilder builder = new BlockBuilder(DType.FLOAT64, 2, 4, LabelKind.NONE, 0, "x", false);
    builder.add(0, new double[] {9, 9, 1, 2, 9}, 2, 2);
    builder.endRow();
    assertThat(builder.build().x().doubles()).containsExactly(1, 2);
    assertThat(builder.isEmpty()).isTrue();
    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No rows");
  }

  @Test
  void badRowsAreNamedByTheirId() {
    BlockBuilder builder = new BlockBuilder(DType.FLOAT64, 3, 4, LabelKind.TARGETS, 2, "x.csv",
        "t.csv", false);
    assertThatThrownBy(() -> builder.add(41, new double[] {1, 2}, 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.csv: row id 41 has 2 features but the first row has 3");
    assertThatThrownBy(() -> builder.add(42, new double[] {1, Double.NaN, 3}, 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.csv: row id 42 has NaN in features column 1");
    builder.add(43, features(43), 0, 3);
    assertThatThrownBy(() -> builder.setTargets(new double[] {1, 2, 3}, 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("t.csv: row id 43 has 3 targets values but 2 were expected");
    assertThatThrownBy(() -> builder.setTargets(new double[] {1, Double.NEGATIVE_INFINITY}, 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("t.csv: row id 43 has -Infinity in targets column 1");
  }

  @Test
  void nonFiniteValuesPassWhenAllowed() {
    BlockBuilder builder = new BlockBuilder(DType.FLOAT64, 2, 4, LabelKind.NONE, 0, "x", true);
    builder.add(0, new double[] {Double.NaN, Double.POSITIVE_INFINITY}, 0, 2);
    builder.endRow();
    assertThat(builder.build().x().doubles()).containsExactly(Double.NaN,
        Double.POSITIVE_INFINITY);
  }

  @Test
  void classIdsOutsideZeroToKMinusOneAreRefused() {
    BlockBuilder.checkClass("y.csv", 0, 1, 3);
    BlockBuilder.checkClass("y.csv", 2, 1, 3);
    assertThatThrownBy(() -> BlockBuilder.checkClass("y.csv", 3, 8, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Class label 3 at row id 8 is out of range")
        .hasMessageContaining("0..2");
    assertThatThrownBy(() -> BlockBuilder.checkClass("y.csv", -1, 9, 3))
        .hasMessageContaining("Class label -1 at row id 9");
  }
}
