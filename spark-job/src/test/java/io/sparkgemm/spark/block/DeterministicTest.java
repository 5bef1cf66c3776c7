package io.sparkgemm.spark.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DenseBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * --deterministic blocking: block j holds exactly the row ids in [j·B, (j+1)·B), in id order,
 * in the partition of its chunk, whatever fragments the input partitions cut; and the chunks map
 * to the reduction tree's leaves. Expected blocks are listed from the ids with plain loops.
 */
class DeterministicTest {
  private static final int BLOCK_ROWS = 4;
  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void setUp() {
    spark = SparkSession.builder().master("local[2]").appName("DeterministicTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /** A fragment of rows with these ids: x = (id, -id), class id = id mod 5. */
  private static LabeledBlock fragment(long... ids) {
    double[] x = new double[2 * ids.length];
    int[] classes = new int[ids.length];
    for (int r = 0; r < ids.length; r++) {
      x[2 * r] = ids[r];
      x[2 * r + 1] = -ids[r];
      classes[r] = (int) (ids[r] % 5);
    }
    return new LabeledBlock(DenseBlock.ofDoubles(ids.length, 2, x).withRowIds(ids), null,
        classes, null);
  }

  @Test
  void chunkOfRoundsTowardsMinusInfinity() {
    assertThat(Deterministic.chunkOf(0, 64)).isZero();
    assertThat(Deterministic.chunkOf(63, 64)).isZero();
    assertThat(Deterministic.chunkOf(64, 64)).isEqualTo(1);
    assertThat(Deterministic.chunkOf(-1, 64)).isEqualTo(-1);
  }

  @Test
  void blocksGoToThePartitionOfTheirChunk() {
    Deterministic.ChunkPartitioner p = new Deterministic.ChunkPartitioner(3, 16);
    assertThat(p.numPartitions()).isEqualTo(3);
    // blocks 0..15 are chunk 0, 16..31 chunk 1, ...; chunk c goes to partition c mod 3
    assertThat(p.getPartition(0L)).isZero();
    assertThat(p.getPartition(15L)).isZero();
    assertThat(p.getPartition(16L)).isEqualTo(1);
    assertThat(p.getPartition(48L)).isZero();
    assertThat(p.getPartition(-1L)).isEqualTo(2);
    assertThat(p).isEqualTo(new Deterministic.ChunkPartitioner(3, 16));
  }

  @Test
  void fragmentsOfABlockAreMergedInIdOrderWithTheirLabels() {
    LabeledBlock merged = Deterministic.concatById(List.of(fragment(6, 2), fragment(5, 3)));
    assertThat(merged.x().rowIds()).containsExactly(2, 3, 5, 6);
    assertThat(merged.x().doubles()).containsExactly(2, -2, 3, -3, 5, -5, 6, -6);
    assertThat(merged.classes()).containsExactly(2, 3, 0, 1);
    assertThatThrownBy(() -> Deterministic.concatById(List.of(fragment(1, 2), fragment(2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Row id 2 appears more than once");
  }

  @Test
  void arrangeMakesTheSameBlocksFromAnyFragments() {
    int n = 150;
    List<Long> ids = new ArrayList<>();
    for (long id = 0; id < n; id++) {
      ids.add(id);
    }
    Collections.shuffle(ids, new Random(3));
    for (int inputPartitions : new int[] {1, 4, 7}) {
      for (int partitions : new int[] {1, 3}) {
        // each input partition holds shuffled ids: one fragment per block it touches, its ids
        // in input order (not sorted); a block's rows are spread over several partitions
        JavaRDD<LabeledBlock> split = jsc.parallelize(ids, inputPartitions).mapPartitions(it -> {
          Map<Long, List<Long>> byBlock = new TreeMap<>();
          it.forEachRemaining(id -> byBlock.computeIfAbsent(id / BLOCK_ROWS,
              j -> new ArrayList<>()).add(id));
          List<LabeledBlock> out = new ArrayList<>();
          for (List<Long> part : byBlock.values()) {
            out.add(fragment(part.stream().mapToLong(Long::longValue).toArray()));
          }
          return out.iterator();
        });
        String what = inputPartitions + " input partitions, " + partitions + " partitions";
        List<List<LabeledBlock>> arranged = Deterministic.arrange(split, BLOCK_ROWS, partitions)
            .glom().collect();
        assertThat(arranged).as(what).hasSize(partitions);
        int blocks = 0;
        for (int p = 0; p < partitions; p++) {
          for (LabeledBlock block : arranged.get(p)) {
            long first = block.x().rowId(0);
            long j = first / BLOCK_ROWS;
            long chunk = j / Deterministic.BLOCKS_PER_CHUNK;
            assertThat(chunk % partitions).as(what + ": partition of block " + j).isEqualTo(p);
            long[] expected = new long[(int) Math.min(BLOCK_ROWS, n - j * BLOCK_ROWS)];
            for (int r = 0; r < expected.length; r++) {
              expected[r] = j * BLOCK_ROWS + r;
            }
            assertThat(block.x().rowIds()).as(what + ": block " + j).containsExactly(expected);
            for (int r = 0; r < expected.length; r++) {
              assertThat(block.x().doubles()[2 * r + 1]).isEqualTo(-expected[r]);
              assertThat(block.classes()[r]).isEqualTo((int) (expected[r] % 5));
            }
            blocks++;
          }
        }
        assertThat(blocks).as(what).isEqualTo((n + BLOCK_ROWS - 1) / BLOCK_ROWS);
      }
    }
  }

  @Test
  void chunkIdsAreTheSortedChunksInUseAndTheLeavesOfTheTree() {
    // blocks starting at ids 0, 130, 700 and 64 with 64-row chunks: chunks 0, 2, 10, 1
    JavaRDD<LabeledBlock> blocks = jsc.parallelize(List.of(fragment(700), fragment(0, 1),
        fragment(130), fragment(64)), 2);
    long[] ids = Deterministic.chunkIds(blocks, 64);
    assertThat(ids).containsExactly(0, 1, 2, 10);
    Chunks chunks = new Chunks(64, ids);
    assertThat(chunks.enabled()).isTrue();
    assertThat(chunks.leaves(5)).isEqualTo(4);
    // a chunk's leaf is its place among the chunks in use, whatever the partition
    assertThat(chunks.leafOf(700, 0)).isEqualTo(3);
    assertThat(chunks.leafOf(130, 1)).isEqualTo(2);
    assertThat(chunks.leafOf(64, 1)).isEqualTo(1);
    assertThat(Chunks.NONE.enabled()).isFalse();
    assertThat(Chunks.NONE.leaves(5)).isEqualTo(5);
    assertThat(Chunks.NONE.leafOf(700, 3)).isEqualTo(3);
  }
}
