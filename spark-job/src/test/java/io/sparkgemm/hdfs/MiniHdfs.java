package io.sparkgemm.hdfs;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * An in-process HDFS for the tests: one NameNode and {@code dataNodes} DataNodes on 127.0.0.1,
 * all state under a base folder the test owns (a JUnit {@code @TempDir}). Close it when done.
 *
 * <p>The shaded {@code hadoop-client-minicluster} build is used so that its Jetty, Jersey and
 * Guava stay out of Spark's way on the test classpath.
 */
public final class MiniHdfs implements AutoCloseable {
  /** The block size of files written with {@link #configuration()}: 1 MiB. */
  public static final long BLOCK_SIZE = 1L << 20;

  private final MiniDFSCluster cluster;

  private MiniHdfs(MiniDFSCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts an HDFS whose NameNode and DataNodes keep their files under {@code baseDir}. */
  public static MiniHdfs start(File baseDir, int dataNodes) throws IOException {
    // Small blocks so that a test file of a few MB spans several blocks and DataNodes.
    return start(baseDir, dataNodes, BLOCK_SIZE);
  }

  /** An HDFS whose files are written in blocks of {@code blockSize} bytes. */
  public static MiniHdfs start(File baseDir, int dataNodes, long blockSize) throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getAbsolutePath());
    conf.setLong("dfs.blocksize", blockSize);
    conf.setInt("dfs.replication", Math.min(dataNodes, 2));
    // No web UIs: nothing in the tests reads them, and they pull in servlet containers.
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.setBoolean("dfs.webhdfs.enabled", false);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .numDataNodes(dataNodes)
        .nameNodeHttpPort(0)
        .checkDataNodeHostConfig(true)
        .build();
    cluster.waitActive();
    return new MiniHdfs(cluster);
  }

  /** The file system URI, {@code hdfs://127.0.0.1:port}. */
  public URI uri() {
    return URI.create("hdfs://127.0.0.1:" + cluster.getNameNodePort());
  }

  /** {@code hdfs://127.0.0.1:port/relative}, for flags and Hadoop paths. */
  public String url(String relative) {
    return uri() + (relative.startsWith("/") ? relative : "/" + relative);
  }

  /** The Hadoop path of {@link #url}. */
  public Path path(String relative) {
    return new Path(url(relative));
  }

  /** A client of this file system (cached by Hadoop; do not close it). */
  public FileSystem fileSystem() throws IOException {
    return cluster.getFileSystem();
  }

  /**
   * The settings a client should use (a copy): with them, files it writes get the fixture's
   * small blocks. Spark takes them as {@code spark.hadoop.*} properties.
   */
  public Configuration configuration() {
    return new Configuration(cluster.getConfiguration(0));
  }

  /** How many DataNodes are up. */
  public int dataNodes() {
    return cluster.getDataNodes().size();
  }

  @Override
  public void close() {
    cluster.shutdown(true);
  }
}
