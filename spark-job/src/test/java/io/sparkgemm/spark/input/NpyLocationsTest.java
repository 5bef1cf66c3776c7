package io.sparkgemm.spark.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.npy.NpyLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.BlockLocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hosts a row range prefers, from a file's blocks: the most bytes of the range first (ties
 * by name), at most three, a replica counted once per host, localhost left out; in C order a
 * range is one run of bytes, in Fortran order one run per column.
 */
class NpyLocationsTest {
  static final int ROWS = 100;
  static final int COLS = 4;

  /** The layout of a ROWS x COLS float64 .npy, from its header alone. */
  static NpyLayout layout(boolean fortran) throws IOException {
    String dict = "{'descr': '<f8', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': (" + ROWS + ", " + COLS + "), }";
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] bytes = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN)
        .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
        .putShort((short) header.length())
        .put(header.toString().getBytes(StandardCharsets.ISO_8859_1)).array();
    return NpyLayout.read((position, buffer, offset, length) ->
        System.arraycopy(bytes, (int) position, buffer, offset, length),
        bytes.length + (long) ROWS * COLS * 8, "X.npy");
  }

  /**
   * The data's 3,200 bytes in blocks of 1,000 from the data's start (the first also holds the
   * header), given out of order: a; b and a (twice); c; d and localhost.
   */
  static BlockLocation[] blocks(long data) {
    return new BlockLocation[] {
        block(data + 2000, 1000, "c"),
        block(0, data + 1000, "a"),
        block(data + 3000, 200, "d", "localhost"),
        block(data + 1000, 1000, "b", "a", "a")};
  }

  static BlockLocation block(long offset, long length, String... hosts) {
    return new BlockLocation(hosts, hosts, offset, length);
  }

  /**
   * Rows 0..50 and 50..100. C order: [a 1600, b 600] and [c 1000, a 400, b 400, d 200]. Fortran
   * order (columns of 800 bytes, a range 400 bytes of each): [a 1200, b 600, c 400] and
   * [a 800, c 600, b 400, d 200].
   */
  @ParameterizedTest
  @CsvSource({"false, a b, c a b", "true, a b c, a c b"})
  void theHostsWithTheMostBytesOfARangeComeFirst(boolean fortran, String first, String second)
      throws IOException {
    NpyLayout x = layout(fortran);
    List<List<String>> hosts = NpyLocations.hosts(List.of(new NpyRows.Source("X.npy", x)),
        List.<BlockLocation[]>of(blocks(x.dataOffset())),
        List.of(new long[] {0, 50}, new long[] {50, 100}));
    assertThat(hosts).containsExactly(List.of(first.split(" ")), List.of(second.split(" ")));
  }

  @ParameterizedTest
  @CsvSource({"false", "true"})
  void blocksOnLocalhostAloneGiveNoPreference(boolean fortran) throws IOException {
    NpyLayout x = layout(fortran);
    BlockLocation[] local = {block(0, x.dataOffset() + ROWS * COLS * 8, "localhost")};
    assertThat(NpyLocations.hosts(List.of(new NpyRows.Source("X.npy", x)),
        List.<BlockLocation[]>of(local), List.of(new long[] {0, 50}, new long[] {50, 100})))
        .containsExactly(List.of(), List.of());
  }
}
