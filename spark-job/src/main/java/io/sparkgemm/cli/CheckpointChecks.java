package io.sparkgemm.cli;

import io.sparkgemm.local.BadInputException;
import io.sparkgemm.local.ParamText;
import io.sparkgemm.spark.train.CheckpointFolder;
import io.sparkgemm.spark.train.Checkpoints;
import io.sparkgemm.spark.train.RunIdentity;
import io.sparkgemm.spark.output.OutputPaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Model.CommandSpec;

/**
 * train's checks of its checkpoint folder and of a resume, made before Spark starts (and, for
 * the rows, once the data is read): a checkpoint continues only the run it belongs to, and a
 * fresh run never mixes its checkpoints with an earlier run's.
 */
final class CheckpointChecks {
  private CheckpointChecks() {
  }

  /** k of a resumed run: the checkpoint's; a different --outputs is refused. */
  static int outputs(Checkpoints.Checkpoint checkpoint, Integer outputs, String resume) {
    int k = checkpoint.model().network().outFeatures();
    if (outputs != null && outputs != k) {
      throw new IllegalArgumentException("--resume " + resume + ": the checkpoint's model has "
          + "k = " + k + " outputs, not --outputs " + outputs + " (leave --outputs out to "
          + "resume, or start a new run without --resume)");
    }
    return k;
  }

  /**
   * Where X and the labels come from, local paths made absolute: the same files from another
   * working directory are the same data.
   */
  static RunIdentity.Source source(JobOptions job, LabelOptions labels) {
    String x = absolute(job.x);
    if (job.featuresCol != null) {
      x += ", column '" + job.featuresCol + "'";
    } else if (job.featuresCols != null) {
      x += ", columns '" + String.join(",", job.featuresCols) + "'";
    }
    String l = labels.labels != null ? absolute(labels.labels)
        : "column '" + labels.labelsCol + "'";
    return new RunIdentity.Source(x, l);
  }

  private static String absolute(String path) {
    return path.contains("://") ? path : Path.of(path).toAbsolutePath().normalize().toString();
  }

  /**
   * Refuses a resume whose data, model or optimizer differ from the checkpoint's run, naming
   * every difference; with {@code report} (the first comparison, before Spark starts) says in
   * one line on {@code command}'s console which settings changed, or that an older checkpoint
   * recorded no run.
   */
  static void compare(Checkpoints.Checkpoint checkpoint, RunIdentity now, String resume,
      CommandSpec command, boolean report) {
    PrintWriter console = report ? command.commandLine().getOut() : null;
    if (checkpoint.run() == null) {
      if (console != null) {
        console.println("resume: " + checkpoint.dir() + " was written before checkpoints "
            + "recorded their run: its data and settings cannot be checked");
      }
      return;
    }
    RunIdentity.Comparison c = checkpoint.run().compareTo(now);
    if (!c.refused().isEmpty()) {
      throw new BadInputException("--resume " + resume + ": the checkpoint belongs to another "
          + "run: ", ParamText.join("; ", c.refusals()), " (a run resumes only on the data, "
          + "network, loss and optimizer it was written with)");
    }
    if (console != null && !c.changed().isEmpty()) {
      console.println("resume: settings changed since the checkpoint: "
          + Flags.say(ParamText.join(", ", c.changes()), command));
    }
  }

  /**
   * Where this run's checkpoints go ({@code folder}, null for none) must be writable and hold
   * no other run's checkpoints: a resume continues in the folder it resumes from; any other
   * folder's checkpoints are refused, or with --overwrite removed (named on the console).
   * Works on any Hadoop file system.
   *
   * @param remove whether to remove them now (train checks before Spark starts, and removes
   *     only once every other check, the memory check after reading X among them, has passed)
   */
  static void prepare(String dir, Checkpoints.Checkpoint resumed, boolean overwrite,
      PrintWriter console, boolean remove) {
    if (dir == null) {
      return;
    }
    Configuration conf = OutputPaths.hadoopConf();
    CheckpointFolder folder = CheckpointFolder.of(dir, conf);
    folder.requireWritable();
    if (resumed != null && sameFolder(dir, resumed.folder(), conf)) {
      return;
    }
    List<String> found = folder.names();
    if (found.isEmpty()) {
      return;
    }
    if (!overwrite) {
      throw new IllegalArgumentException("the checkpoint folder " + folder + " already holds "
          + "checkpoints of another run (" + String.join(", ", found) + "): pass --overwrite "
          + "to remove them, --resume " + folder + " to continue that run, or choose another "
          + "--checkpoint-dir");
    }
    if (!remove) {
      // checked now; removed only once every other check has passed (train calls again)
      return;
    }
    folder.clear();
    console.println("removed the checkpoints of an earlier run from " + folder + " (--overwrite): "
        + String.join(", ", found));
  }

  /** Same folder: qualified on their file systems, local links resolved. */
  private static boolean sameFolder(String a, String b, Configuration conf) {
    return OutputPaths.qualified("checkpointDir", a, conf, false)
        .equals(OutputPaths.qualified("resumeDir", b, conf, false));
  }
}
