package io.sparkgemm.hdfs;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@link MiniHdfs} as a process of its own, for scripts/bench-hdfs.sh: an HDFS on 127.0.0.1 that
 * runs until the process is stopped (SIGTERM shuts it down). Writes its URI to a file once up.
 *
 * <pre>
 *   java -cp TEST_CLASSPATH io.sparkgemm.hdfs.MiniHdfsServer BASE_DIR DATANODES BLOCK_MB URI_FILE
 * </pre>
 */
public final class MiniHdfsServer {
  private MiniHdfsServer() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: MiniHdfsServer BASE_DIR DATANODES BLOCK_MB URI_FILE");
      System.exit(2);
    }
    MiniHdfs hdfs = MiniHdfs.start(new File(args[0]), Integer.parseInt(args[1]),
        Long.parseLong(args[2]) << 20);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      hdfs.close();
      stopped.countDown();
    }));
    Path uriFile = Path.of(args[3]);
    Path partial = uriFile.resolveSibling(uriFile.getFileName() + ".part");
    Files.writeString(partial, hdfs.uri() + "\n", StandardCharsets.UTF_8);
    Files.move(partial, uriFile);
    stopped.await();
  }
}
