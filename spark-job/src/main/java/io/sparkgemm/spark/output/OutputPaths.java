package io.sparkgemm.spark.output;

import static io.sparkgemm.local.ParamText.param;

import io.sparkgemm.local.BadParameterException;
import io.sparkgemm.local.ParamText;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Checks on an output folder made before anything runs: it must not be, hold or lie inside an
 * input, the working directory or the checkpoint folder ({@code --overwrite} would delete them,
 * a job writing inside an input would change it), an existing one must be a previous spark-gemm
 * output that overwriting may replace, and it must be writable.
 *
 * <p>Paths are compared as qualified, normalised absolute paths: on the local file system with
 * {@code .}, {@code ..} and symbolic links resolved as far as the path exists; elsewhere (HDFS,
 * object stores) as qualified URIs on the same file system.
 */
public final class OutputPaths {
  /** {@code scheme:} or {@code scheme://authority} in front of a path. */
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:(//[^/]*)?");

  private OutputPaths() {
  }

  /**
   * Refuses an {@code outputDir} that would destroy or change what the command reads, that
   * exists and may not be replaced (see {@link OutputDir#create}), or that cannot be written;
   * throws {@link IllegalArgumentException} naming the paths.
   *
   * @param overwrite whether a previous output may be replaced
   * @param inputs option name (e.g. {@code --x}) to path; null paths are skipped
   * @param checkpointDir where checkpoints go, or null
   */
  public static void check(String outputDir, boolean overwrite, Map<String, String> inputs,
      String checkpointDir, Configuration conf) {
    Path target = qualified("outputDir", outputDir, conf, true);
    for (Map.Entry<String, String> input : inputs.entrySet()) {
      if (input.getValue() == null || input.getValue().isBlank()) {
        continue;
      }
      Path in = qualified(input.getKey(), input.getValue(), conf, false);
      if (target.equals(in)) {
        throw new BadParameterException(param("outputDir"), " " + outputDir + " is the input "
            + input.getKey() + " " + input.getValue() + ": writing there would replace it; "
            + "choose another folder");
      }
      if (isAncestor(target, in)) {
        throw new BadParameterException(param("outputDir"), " " + outputDir + " holds the input "
            + input.getKey() + " " + input.getValue() + ": ", param("overwrite"), " would delete "
            + "it; choose a folder that holds no input");
      }
      if (isAncestor(in, target)) {
        throw new BadParameterException(param("outputDir"), " " + outputDir + " lies inside the "
            + "input " + input.getKey() + " " + input.getValue() + ": writing there would change "
            + "it; choose a folder outside every input");
      }
    }
    if (isLocal(target)) {
      Path cwd = real(java.nio.file.Path.of("").toAbsolutePath());
      if (target.equals(cwd) || isAncestor(target, cwd)) {
        throw new BadParameterException(param("outputDir"), " " + outputDir + " is "
            + (target.equals(cwd) ? "the working directory"
                : "a parent of the working directory " + cwd.toUri().getPath())
            + ": ", param("overwrite"), " would delete it; choose a folder of its own");
      }
    }
    if (checkpointDir != null) {
      Path checkpoints = qualified("checkpointDir", checkpointDir, conf, false);
      if (target.equals(checkpoints) || isAncestor(target, checkpoints)
          || isAncestor(checkpoints, target)) {
        throw new BadParameterException(param("checkpointDir"), " " + checkpointDir + " and ",
            param("outputDir"), " " + outputDir + " overlap: the output replaces its folder at "
            + "the end (deleting the checkpoints with ", param("overwrite"),
            "); keep checkpoints outside ", param("outputDir"), " and ", param("outputDir"),
            " outside them");
      }
    }
    requireReplaceable(outputDir, target, overwrite, conf);
    requireWritable(outputDir, target, conf);
  }

  private static void requireReplaceable(String outputDir, Path target, boolean overwrite,
      Configuration conf) {
    try {
      OutputDir.requireReplaceable(target.getFileSystem(conf), target, outputDir, overwrite);
    } catch (IOException e) {
      throw new BadParameterException(ParamText.of(param("outputDir"), " " + outputDir
          + ": cannot be checked: " + e.getMessage()), e);
    }
  }

  /**
   * Refuses an output path that cannot be written, before anything runs: a dangling symbolic
   * link, a parent that is a file, a folder where no folder can be created. Probes by creating
   * and removing a hidden folder in the nearest existing ancestor.
   */
  static void requireWritable(String outputDir, Path target, Configuration conf) {
    try {
      FileSystem fs = target.getFileSystem(conf);
      // The staging folder goes beside the target: probe its parent, existing target or not.
      Path existing = fs.exists(target) ? target.getParent() : target;
      while (existing != null && !fs.exists(existing)) {
        if (isLocal(existing)) {
          java.nio.file.Path local = java.nio.file.Path.of(existing.toUri());
          if (Files.isSymbolicLink(local)) {
            throw new BadParameterException(param("outputDir"), " " + outputDir + ": " + local
                + " is a symbolic link to " + Files.readSymbolicLink(local) + ", which does "
                + "not exist; remove the link or choose another folder");
          }
        }
        existing = existing.getParent();
      }
      if (existing == null) {
        return;
      }
      FileStatus status = fs.getFileStatus(existing);
      if (!status.isDirectory()) {
        throw new BadParameterException(param("outputDir"), " " + outputDir + ": "
            + existing.toUri().getPath() + " is a file, not a folder, so nothing can be "
            + "created under it");
      }
      Path probe = new Path(existing, ".spark-gemm-probe-" + UUID.randomUUID());
      boolean made;
      try {
        made = fs.mkdirs(probe);
      } catch (IOException e) {
        made = false;
      }
      if (!made) {
        throw new BadParameterException(param("outputDir"), " " + outputDir + ": cannot create "
            + "folders in " + existing.toUri().getPath() + " (not writable)");
      }
      fs.delete(probe, true);
    } catch (IOException e) {
      throw new BadParameterException(ParamText.of(param("outputDir"), " " + outputDir
          + ": cannot be checked: " + e.getMessage()), e);
    }
  }

  /** The Hadoop configuration of the running session, else one from the defaults. */
  public static Configuration hadoopConf() {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    if (active.isDefined()) {
      return active.get().sparkContext().hadoopConfiguration();
    }
    Configuration conf = new Configuration();
    // What spark-submit --conf spark.hadoop.* would add to the session's configuration.
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), System.getProperty(key));
      }
    }
    return conf;
  }

  /**
   * {@code path} qualified on its file system, normalised; local paths with symbolic links
   * resolved as far as they exist.
   *
   * @param output refuse a ':' in a name (an input with one is read as a local file)
   */
  public static Path qualified(String option, String path, Configuration conf,
      boolean output) {
    Matcher scheme = SCHEME.matcher(path);
    boolean hasScheme = scheme.find();
    if ((hasScheme ? path.substring(scheme.end()) : path).indexOf(':') >= 0) {
      if (output) {
        throw new BadParameterException(param(option), " " + path + ": a ':' in a file or "
            + "folder name is not supported (Hadoop paths read it as a URI scheme); choose "
            + "another name");
      }
      if (!hasScheme) {
        return real(java.nio.file.Path.of(path).toAbsolutePath());
      }
    }
    try {
      Path p = new Path(path);
      Path q = p.getFileSystem(conf).makeQualified(p);
      URI uri = q.toUri().normalize();
      q = new Path(uri.getScheme(), uri.getAuthority(), uri.getPath());
      return isLocal(q) ? real(java.nio.file.Path.of(q.toUri())) : q;
    } catch (IOException | IllegalArgumentException e) {
      throw new BadParameterException(ParamText.of(param(option), " " + path
          + ": not a usable path: " + e.getMessage()), e);
    }
  }

  private static boolean isLocal(Path p) {
    return "file".equals(p.toUri().getScheme());
  }

  /** A local path with the symbolic links of its longest existing prefix resolved. */
  private static Path real(java.nio.file.Path path) {
    path = path.normalize();
    List<java.nio.file.Path> missing = new ArrayList<>();
    java.nio.file.Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      if (existing.getFileName() != null) {
        missing.add(0, existing.getFileName());
      }
      existing = existing.getParent();
    }
    java.nio.file.Path resolved;
    try {
      resolved = existing == null ? path.getRoot() : existing.toRealPath();
    } catch (IOException e) {
      resolved = existing;
    }
    for (java.nio.file.Path name : missing) {
      resolved = resolved.resolve(name);
    }
    return new Path("file", null, resolved.toString());
  }

  /** Whether {@code a} is a proper ancestor of {@code b} (same file system). */
  static boolean isAncestor(Path a, Path b) {
    URI x = a.toUri();
    URI y = b.toUri();
    if (!Objects.equals(x.getScheme(), y.getScheme())
        || !Objects.equals(x.getAuthority(), y.getAuthority())) {
      return false;
    }
    String parent = x.getPath().endsWith("/") ? x.getPath() : x.getPath() + "/";
    return y.getPath().startsWith(parent) && !y.getPath().equals(x.getPath());
  }
}
