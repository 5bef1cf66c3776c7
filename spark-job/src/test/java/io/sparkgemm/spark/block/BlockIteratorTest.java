package io.sparkgemm.spark.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.junit.jupiter.api.Test;

/**
 * A partition's internal rows to blocks: sizes, ids (given or assigned), labels, the cut at
 * row-id block bounds with --deterministic, and errors named by row id. Rows are built by hand
 * (no Spark session needed) in the layout {@code __x, __id, __label}.
 */
class BlockIteratorTest {
  private static final int X = 0;
  private static final int ID = 1;
  private static final int LABEL = 2;

  /** A row (__x = (id, 2·id), __id, __label). */
  private static InternalRow row(long id, Object label) {
    return new GenericInternalRow(new Object[] {
        new GenericArrayData(new double[] {id, 2.0 * id}), id, label});
  }

  private static RowLayout.Builder layout(int blockRows) {
    return RowLayout.builder().xOrdinal(X).idOrdinal(ID).numFeatures(2)
        .blocks(DType.FLOAT64, blockRows).source("x.parquet");
  }

  private static List<LabeledBlock> blocks(List<InternalRow> rows, RowLayout layout,
      long firstAssignedId) {
    List<LabeledBlock> out = new ArrayList<>();
    new BlockIterator(rows.iterator(), layout, firstAssignedId).forEachRemaining(out::add);
    return out;
  }

  private static List<Long> ids(List<LabeledBlock> blocks) {
    List<Long> ids = new ArrayList<>();
    for (LabeledBlock b : blocks) {
      for (long id : b.x().rowIds()) {
        ids.add(id);
      }
    }
    return ids;
  }

  @Test
  void rowsBecomeBlocksOfAtMostBlockRowsInInputOrder() {
    List<InternalRow> rows = new ArrayList<>();
    for (long id : new long[] {7, 3, 9, 4, 5, 11, 2}) {
      rows.add(row(id, null));
    }
    List<LabeledBlock> blocks = blocks(rows, layout(3).build(), 0);
    assertThat(blocks).extracting(LabeledBlock::numRows).containsExactly(3, 3, 1);
    assertThat(ids(blocks)).containsExactly(7L, 3L, 9L, 4L, 5L, 11L, 2L);
    assertThat(blocks.get(0).x().doubles()).containsExactly(7, 14, 3, 6, 9, 18);
    assertThat(blocks.get(0).labels()).isNull();
  }

  @Test
  void withoutAnIdColumnIdsCountFromThePartitionsFirst() {
    List<InternalRow> rows = new ArrayList<>();
    for (long v = 0; v < 5; v++) {
      rows.add(row(v, null));
    }
    List<LabeledBlock> blocks = blocks(rows, layout(2).idOrdinal(-1).build(), 1000);
    assertThat(ids(blocks)).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L);
  }

  @Test
  void cutByIdEndsABlockWhereTheIdCrossesAMultipleOfBlockRows() {
    // blockRows 4: ids 0..3 are block 0, 4..7 block 1, 8..11 block 2 (gaps are fine)
    List<InternalRow> rows = new ArrayList<>();
    for (long id : new long[] {1, 2, 5, 6, 7, 8, 11}) {
      rows.add(row(id, null));
    }
    List<LabeledBlock> blocks = blocks(rows, layout(4).cutById(true).build(), 0);
    assertThat(blocks).extracting(LabeledBlock::numRows).containsExactly(2, 3, 2);
    assertThat(ids(blocks)).containsExactly(1L, 2L, 5L, 6L, 7L, 8L, 11L);
    // the row read ahead keeps its values
    assertThat(blocks.get(1).x().doubles()).containsExactly(5, 10, 6, 12, 7, 14);
    assertThat(blocks.get(2).x().doubles()).containsExactly(8, 16, 11, 22);
  }

  @Test
  void targetsAndClassIdsComeFromTheLabelColumn() {
    List<InternalRow> rows = List.of(
        row(0, new GenericArrayData(new double[] {0.5, -1})),
        row(1, new GenericArrayData(new double[] {1.5, -2})));
    LabeledBlock block = blocks(rows, layout(8).labels(LABEL, LabelKind.TARGETS, 2).build(), 0)
        .get(0);
    assertThat(block.targets().doubles()).containsExactly(0.5, -1, 1.5, -2);

    List<InternalRow> classes = List.of(row(0, 2.0), row(1, 0.0), row(2, 1.0));
    LabeledBlock labelled = blocks(classes, layout(8).labels(LABEL, LabelKind.CLASSES, 1)
        .numClasses(3).build(), 0).get(0);
    assertThat(labelled.classes()).containsExactly(2, 0, 1);
  }

  @Test
  void badRowsAreNamedByTheirId() {
    RowLayout classes = layout(8).labels(LABEL, LabelKind.CLASSES, 1).labelSource("y.csv")
        .numClasses(3).build();
    assertThatThrownBy(() -> blocks(List.of(row(4, 1.5)), classes, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("y.csv: row id 4 has class label 1.5");
    assertThatThrownBy(() -> blocks(List.of(row(5, null)), classes, 0))
        .hasMessageContaining("y.csv: row id 5 has a null class label");
    assertThatThrownBy(() -> blocks(List.of(row(6, 3.0)), classes, 0))
        .hasMessageContaining("Class label 3 at row id 6 is out of range");
    InternalRow nullValue = new GenericInternalRow(new Object[] {
        new GenericArrayData(new Object[] {1.0, null}), 8L, null});
    assertThatThrownBy(() -> blocks(List.of(nullValue), layout(8).build(), 0))
        .hasMessageContaining("x.parquet: row id 8 has a null features value at position 1");
    InternalRow nullId = new GenericInternalRow(new Object[] {
        new GenericArrayData(new double[] {1, 2}), null, null});
    assertThatThrownBy(() -> blocks(List.of(row(0, null), nullId), layout(8).build(), 0))
        .hasMessageContaining("x.parquet: a row has a null id");
  }

  @Test
  void anExhaustedIteratorSaysSo() {
    Iterator<LabeledBlock> it = new BlockIterator(List.<InternalRow>of().iterator(),
        layout(4).build(), 0);
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }
}
