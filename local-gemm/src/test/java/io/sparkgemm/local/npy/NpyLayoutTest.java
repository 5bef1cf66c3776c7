package io.sparkgemm.local.npy;

import static io.sparkgemm.local.npy.NpyTest.dict;
import static io.sparkgemm.local.npy.NpyTest.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ranges of rows read by positioned reads from the header's layout, against the values the file
 * was made of: every float dtype, both byte orders, C and Fortran order, ranges crossing the
 * read chunks.
 */
class NpyLayoutTest {
  @TempDir
  Path dir;

  /** v(r, c) = r * 8 + c / 4: exact in float32 below 2^21 rows. */
  private static double v(long r, int c) {
    return r * 8 + c / 4.0;
  }

  /** A rows x cols array of v(r, c), stored in the given dtype, byte order and memory order. */
  private Path matrix(String descr, boolean fortran, int rows, int cols) throws IOException {
    int size = descr.charAt(2) - '0';
    ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    ByteBuffer data = ByteBuffer.allocate(rows * cols * size).order(order);
    for (int i = 0; i < rows * cols; i++) {
      // C order: i = r * cols + c; Fortran order: i = c * rows + r
      int r = fortran ? i % rows : i / cols;
      int c = fortran ? i / rows : i % cols;
      if (size == 8) {
        data.putDouble(v(r, c));
      } else {
        data.putFloat((float) v(r, c));
      }
    }
    String name = descr.replace('<', 'l').replace('>', 'b') + (fortran ? "-f" : "-c") + rows
        + "x" + cols + ".npy";
    return npy(dir.resolve(name), dict(descr, fortran, "(" + rows + ", " + cols + ")"),
        data.array());
  }

  private static NpyLayout layout(FileChannel ch, Path file) throws IOException {
    return NpyLayout.read(PositionedInput.of(ch), ch.size(), file.toString());
  }

  @ParameterizedTest
  @CsvSource({"<f8, false", ">f8, false", "<f4, false", ">f4, false", "<f8, true", ">f8, true",
      "<f4, true", ">f4, true"})
  void everyRangeOfRowsHoldsItsValues(String descr, boolean fortran) throws IOException {
    int rows = 7;
    int cols = 3;
    Path file = matrix(descr, fortran, rows, cols);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      NpyLayout layout = layout(ch, file);
      assertThat(layout.shape()).containsExactly(rows, cols);
      assertThat(layout.fortranOrder()).isEqualTo(fortran);
      // the data are the file's last bytes
      assertThat(layout.dataOffset()).isEqualTo(Files.size(file)
          - (long) rows * cols * (descr.charAt(2) - '0'));
      for (int r0 = 0; r0 <= rows; r0++) {
        for (int count = 0; r0 + count <= rows; count++) {
          double[] out = new double[count * cols + 2];
          out[0] = -1;
          out[out.length - 1] = -1;
          layout.readRows(PositionedInput.of(ch), r0, count, out, 1);
          assertThat(out[0]).isEqualTo(-1);
          assertThat(out[out.length - 1]).isEqualTo(-1);
          for (int r = 0; r < count; r++) {
            for (int c = 0; c < cols; c++) {
              assertThat(out[1 + r * cols + c]).as("(%d, %d)", r0 + r, c).isEqualTo(v(r0 + r, c));
            }
          }
        }
      }
    }
  }

  /** Ranges larger than one read chunk (1 MiB), in both memory orders. */
  @ParameterizedTest
  @CsvSource({"<f8, false", "<f8, true", ">f4, true"})
  void largeRangesCrossTheReadChunks(String descr, boolean fortran) throws IOException {
    int rows = 150_001;
    int cols = 3;
    Path file = matrix(descr, fortran, rows, cols);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      NpyLayout layout = layout(ch, file);
      int r0 = 777;
      int count = rows - r0 - 5;
      double[] out = new double[count * cols];
      layout.readRows(PositionedInput.of(ch), r0, count, out, 0);
      for (int r = 0; r < count; r += 1) {
        for (int c = 0; c < cols; c++) {
          if (out[r * cols + c] != v(r0 + r, c)) {
            assertThat(out[r * cols + c]).as("(%d, %d)", r0 + r, c).isEqualTo(v(r0 + r, c));
          }
        }
      }
    }
  }

  @Test
  void readsClassIdsOfEitherWidthAndOrder() throws IOException {
    ByteBuffer ints = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
    ByteBuffer longs = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    for (int k : new int[] {3, 0, 2, 1, 4}) {
      ints.putInt(k);
      longs.putLong(k);
    }
    for (Path file : new Path[] {npy(dir.resolve("i4.npy"), dict(">i4", false, "(5,)"),
        ints.array()), npy(dir.resolve("i8.npy"), dict("<i8", false, "(5,)"), longs.array())}) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        NpyLayout layout = layout(ch, file);
        int[] out = new int[3];
        layout.readClasses(PositionedInput.of(ch), 1, 3, out, 0);
        assertThat(out).as(file.toString()).containsExactly(0, 2, 1);
      }
    }
  }

  @Test
  void refusesWhatTheWholeFileReaderRefuses() throws IOException {
    ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    longs.putLong(2).putLong(1L << 40);
    Path big = npy(dir.resolve("l.npy"), dict("<i8", false, "(2,)"), longs.array());
    Path x = matrix("<f8", false, 4, 2);
    byte[] whole = Files.readAllBytes(x);
    Path truncated = dir.resolve("t.npy");
    Files.write(truncated, Arrays.copyOf(whole, whole.length - 8));
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.READ);
        FileChannel tc = FileChannel.open(truncated, StandardOpenOption.READ)) {
      NpyLayout layout = layout(ch, big);
      assertThatThrownBy(() -> layout.readClasses(PositionedInput.of(ch), 0, 2, new int[2], 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(big + ": class id 1099511627776 at index 1 does not fit a 32-bit int");
      assertThatThrownBy(layout::requireFloatMatrix).hasMessage(big + ": expected a 2-D float64 "
          + "or float32 array, got shape (2,) int64");
      assertThatThrownBy(() -> layout(tc, truncated)).isInstanceOf(NpyFormatException.class)
          .hasMessage(truncated + ": truncated data: shape (4, 2) float64 needs 64 bytes but the "
              + "file has 56");
    }
  }
}
