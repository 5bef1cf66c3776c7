package io.sparkgemm.local.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgemm.local.DenseBlock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** .npy round trips, hand-made files in the other layouts, and every refusal with its message. */
class NpyTest {
  @TempDir
  Path dir;

  /** Writes magic, version, header length, the header dict padded to 64 bytes, then data. */
  static Path npy(Path file, int major, String dict, byte[] data) throws IOException {
    int preamble = major == 1 ? 10 : 12;
    StringBuilder header = new StringBuilder(dict);
    while ((preamble + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer pre = ByteBuffer.allocate(preamble).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      pre.putShort((short) header.length());
    } else {
      pre.putInt(header.length());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(pre.array());
    out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(data);
    Files.write(file, out.toByteArray());
    return file;
  }

  static Path npy(Path file, String dict, byte[] data) throws IOException {
    return npy(file, 1, dict, data);
  }

  static String dict(String descr, boolean fortran, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': " + shape + ", }";
  }

  static byte[] doubles(ByteOrder order, double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(order);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.array();
  }

  @Test
  void roundTripsTwoDimensionalFloat64AndFloat32() {
    DenseBlock block = DenseBlock.ofRows(new double[][] {{1.5, -2}, {Math.PI, 1e-300}, {0, 7}});
    Npy.write(dir.resolve("x64.npy"), NpyArray.of(block));
    NpyArray read = Npy.read(dir.resolve("x64.npy"));
    assertThat(read.dtype()).isEqualTo(NpyDType.FLOAT64);
    assertThat(read.shape()).containsExactly(3, 2);
    assertThat(read.shapeText()).isEqualTo("(3, 2)");
    assertThat(read.toBlock().doubles()).containsExactly(block.doubles());

    float[] floats = {1.5f, -2f, (float) Math.PI, 1e-30f, 0f, Float.MAX_VALUE};
    Npy.write(dir.resolve("x32.npy"), NpyArray.of(DenseBlock.ofFloats(2, 3, floats)));
    DenseBlock read32 = Npy.read(dir.resolve("x32.npy")).toBlock();
    assertThat(read32.shape()).isEqualTo("2x3");
    assertThat(read32.floats()).containsExactly(floats);
  }

  @Test
  void roundTripsVectorsAndClassLabels() {
    double[] b = {0.5, -2, Double.MIN_VALUE};
    Npy.write(dir.resolve("b.npy"), NpyArray.ofVector(b));
    NpyArray read = Npy.read(dir.resolve("b.npy"));
    assertThat(read.ndim()).isEqualTo(1);
    assertThat(read.shapeText()).isEqualTo("(3,)");
    assertThat(read.toVector()).containsExactly(b);

    float[] f = {0.25f, -1f};
    Npy.write(dir.resolve("f.npy"), new NpyArray(NpyDType.FLOAT32, new int[] {2}, f, null));
    assertThat(Npy.read(dir.resolve("f.npy")).toVector()).containsExactly(0.25, -1);

    int[] labels = {0, 3, Integer.MAX_VALUE, -1};
    Npy.write(dir.resolve("labels.npy"), NpyArray.ofInts(labels));
    NpyArray readLabels = Npy.read(dir.resolve("labels.npy"));
    assertThat(readLabels.dtype()).isEqualTo(NpyDType.INT32);
    assertThat(readLabels.toClasses()).containsExactly(labels);

    Npy.write(dir.resolve("empty.npy"), NpyArray.of(DenseBlock.ofDoubles(0, 3, new double[0])));
    assertThat(Npy.read(dir.resolve("empty.npy")).toBlock().shape()).isEqualTo("0x3");
  }

  @Test
  void writtenHeaderIsPaddedTo64Bytes() throws IOException {
    Npy.write(dir.resolve("x.npy"), NpyArray.of(DenseBlock.ofDoubles(3, 2, new double[6])));
    byte[] bytes = Files.readAllBytes(dir.resolve("x.npy"));
    assertThat(new String(bytes, 1, 5, StandardCharsets.ISO_8859_1)).isEqualTo("NUMPY");
    assertThat(bytes[6]).isEqualTo((byte) 1);
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    assertThat((10 + headerLength) % 64).isZero();
    assertThat(bytes[10 + headerLength - 1]).isEqualTo((byte) '\n');
    assertThat(new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1))
        .startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }");
    assertThat(bytes).hasSize(10 + headerLength + 6 * 8);
    assertThat(Files.list(dir)).as("no temporary file left").hasSize(1);
  }

  @Test
  void readsFortranOrderAsRowMajor() throws IOException {
    // [[1, 2, 3], [4, 5, 6]] stored column by column
    Path f = npy(dir.resolve("f.npy"), dict("<f8", true, "(2, 3)"),
        doubles(ByteOrder.LITTLE_ENDIAN, 1, 4, 2, 5, 3, 6));
    assertThat(Npy.read(f).toBlock().toRows())
        .isEqualTo(new double[][] {{1, 2, 3}, {4, 5, 6}});
    ByteBuffer ints = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : new int[] {1, 4, 2, 5, 3, 6}) {
      ints.putInt(v);
    }
    NpyArray i = Npy.read(npy(dir.resolve("i.npy"), dict("<i4", true, "(2, 3)"), ints.array()));
    assertThat((int[]) i.data()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void readsBigEndianAndVersionTwoHeaders() throws IOException {
    Path f = npy(dir.resolve("be.npy"), dict(">f8", false, "(3,)"),
        doubles(ByteOrder.BIG_ENDIAN, 1.5, -2, 1e300));
    assertThat(Npy.read(f).toVector()).containsExactly(1.5, -2, 1e300);
    Path v2 = npy(dir.resolve("v2.npy"), 2, dict("<f8", false, "(1, 2)"),
        doubles(ByteOrder.LITTLE_ENDIAN, 3, 4));
    assertThat(Npy.read(v2).toBlock().doubles()).containsExactly(3, 4);
  }

  @Test
  void int64LabelsMustFitAnInt() throws IOException {
    ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    longs.putLong(2).putLong(1L << 40);
    NpyArray a = Npy.read(npy(dir.resolve("l.npy"), dict("<i8", false, "(2,)"), longs.array()));
    assertThatThrownBy(a::toClasses).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l.npy").hasMessageContaining("class id 1099511627776 at index 1");
    assertThatThrownBy(a::toBlock).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a 2-D float64 or float32 array, got shape (2,) int64");
  }

  @Test
  void refusesBadMagicTruncationAndTrailingBytes() throws IOException {
    Path bad = dir.resolve("bad.npy");
    Files.write(bad, "NOTNUMPY-and-some-more-bytes".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> Npy.read(bad)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("bad.npy").hasMessageContaining("does not start with the magic");
    Path tiny = Files.write(dir.resolve("tiny.npy"), new byte[] {(byte) 0x93, 'N'});
    assertThatThrownBy(() -> Npy.read(tiny)).hasMessageContaining("too short to be a .npy file");
    Path truncated = npy(dir.resolve("t.npy"), dict("<f8", false, "(3, 2)"), new byte[40]);
    assertThatThrownBy(() -> Npy.read(truncated)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("truncated data: shape (3, 2) float64 needs 48 bytes but the file "
            + "has 40");
    Path trailing = npy(dir.resolve("tr.npy"), dict("<f4", false, "(2,)"), new byte[12]);
    assertThatThrownBy(() -> Npy.read(trailing)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("4 unexpected trailing bytes after the data of shape (2,) float32");
    Path v4 = npy(dir.resolve("v4.npy"), 1, dict("<f8", false, "(1,)"), new byte[8]);
    byte[] bytes = Files.readAllBytes(v4);
    bytes[6] = 4;
    Files.write(v4, bytes);
    assertThatThrownBy(() -> Npy.read(v4))
        .hasMessageContaining("unsupported .npy format version 4.0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"<c16", "|b1", "<u2", "<f2", "|f8"})
  void refusesUnsupportedDtypes(String descr) throws IOException {
    Path f = npy(dir.resolve("d.npy"), dict(descr, false, "(2,)"), new byte[16]);
    assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("d.npy")
        .hasMessageContaining("unsupported dtype '" + descr + "'")
        .hasMessageContaining("supported: float64 '<f8'");
  }

  @Test
  void refusesObjectArrays() throws IOException {
    Path f = npy(dir.resolve("o.npy"), dict("|O", false, "(2,)"), new byte[16]);
    assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("object dtype '|O'").hasMessageContaining("could run code");
  }

  @Test
  void refusesShapesThatAreNotOneOrTwoDimensional() throws IOException {
    Path cube = npy(dir.resolve("c.npy"), dict("<f8", false, "(2, 2, 2)"), new byte[64]);
    assertThatThrownBy(() -> Npy.read(cube)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("shape (2, 2, 2) is 3-D; only 1-D and 2-D arrays are supported");
    Path scalar = npy(dir.resolve("s.npy"), dict("<f8", false, "()"), new byte[8]);
    assertThatThrownBy(() -> Npy.read(scalar)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("shape () is 0-D");
  }

  @Test
  void refusesStructuredDtypes() throws IOException {
    String dict = "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, "
        + "'shape': (2,), }";
    Path f = npy(dir.resolve("st.npy"), dict, new byte[24]);
    assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("structured dtype [('a', '<f8'), ('b', '<i4')] is not supported");
  }

  @Test
  void refusesMalformedHeadersAndMissingFiles() throws IOException {
    Path noShape = npy(dir.resolve("ns.npy"), "{'descr': '<f8', 'fortran_order': False, }",
        new byte[0]);
    assertThatThrownBy(() -> Npy.read(noShape)).hasMessageContaining("header has no 'shape' key");
    Path extra = npy(dir.resolve("ex.npy"), "{'descr': '<f8', 'fortran_order': False, "
        + "'shape': (1,), 'x': True}", new byte[8]);
    assertThatThrownBy(() -> Npy.read(extra)).hasMessageContaining("header has unexpected keys");
    Path garbled = npy(dir.resolve("g.npy"), "{'descr': '<f8', 'fortran_order': 0, "
        + "'shape': (1,)}", new byte[8]);
    assertThatThrownBy(() -> Npy.read(garbled)).hasMessageContaining("bad header at character");
    Path missing = dir.resolve("missing.npy");
    assertThatThrownBy(() -> Npy.read(missing)).isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("missing.npy").hasMessageContaining("file not found");
  }
}
