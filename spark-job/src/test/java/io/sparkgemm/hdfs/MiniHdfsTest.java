package io.sparkgemm.hdfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself: two DataNodes come up and a file larger than a block round-trips. */
class MiniHdfsTest {
  @TempDir File dir;

  @Test
  void writesAndReadsAFileAcrossBlocks() throws IOException {
    try (MiniHdfs hdfs = MiniHdfs.start(dir, 2)) {
      assertThat(hdfs.dataNodes()).isEqualTo(2);
      byte[] data = new byte[(3 << 20) + 17];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 31);
      }
      var file = hdfs.path("/a/b.bin");
      FileSystem fs = hdfs.fileSystem();
      try (OutputStream out = fs.create(file)) {
        out.write(data);
      }
      byte[] back;
      try (InputStream in = fs.open(file)) {
        back = in.readAllBytes();
      }
      assertThat(back).isEqualTo(data);
      assertThat(fs.getFileBlockLocations(fs.getFileStatus(file), 0, data.length)).hasSize(4);
    }
  }
}
