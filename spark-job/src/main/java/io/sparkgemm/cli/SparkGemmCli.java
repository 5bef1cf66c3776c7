package io.sparkgemm.cli;

import io.sparkgemm.local.BadInputException;
import io.sparkgemm.local.backend.BackendUnavailableException;
import io.sparkgemm.spark.Interrupts;
import io.sparkgemm.spark.RunInterruptedException;
import io.sparkgemm.spark.output.NoSpaceLeftException;
import io.sparkgemm.spark.pass.NonFiniteGradientException;
import io.sparkgemm.spark.train.TrainingDivergedException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code spark-gemm} command line. Exit codes: 0 ok, 1 failure (a check failed, a backend
 * could not load, a job failed), 2 bad usage or bad input, 130 stopped by SIGINT (the JVM's own
 * code for it; 143 for SIGTERM).
 */
@Command(name = "spark-gemm", mixinStandardHelpOptions = true,
    versionProvider = SparkGemmCli.Version.class,
    description = "Linear layers on Spark with native GEMM: Y = XW + b, dW = XᵀG, dX = GWᵀ, "
        + "db = 1ᵀG.",
    subcommands = {InfoCommand.class, VerifyCommand.class, ForwardCommand.class,
        BackwardCommand.class, TrainCommand.class, EvaluateCommand.class, SolveCommand.class,
        GenerateCommand.class, DemoCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:failure (a check failed, a backend could not load, a job failed)",
        "2:bad usage or bad input", "130:stopped by Ctrl-C (SIGINT); nothing was written"})
public final class SparkGemmCli implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int BAD_INPUT = 2;
  public static final int INTERRUPTED = 130;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing command: choose one of " + String.join(", ", spec.subcommands().keySet()));
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command line with the given streams; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new SparkGemmCli());
    // Commands from other modules (the benchmark), before the settings below, which apply to the
    // subcommands present when they are set; help stays last in the list.
    for (CommandProvider provider : ServiceLoader.load(CommandProvider.class,
        SparkGemmCli.class.getClassLoader())) {
      for (Object command : provider.commands()) {
        cli.addSubcommand(command);
      }
    }
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setDefaultValueProvider(new SparkConfDefaults());
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err,
        StandardCharsets.UTF_8), true);
    cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cli.setErr(errWriter);
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof RunInterruptedException || Interrupts.begun()) {
        // Spark's failures after a SIGINT are its context stopping, not the cause: one line
        // (unless the shutdown hook already said it for a command that did not wake up).
        if (Interrupts.claimSaying()) {
          errWriter.println("interrupted: " + (ex instanceof RunInterruptedException
              ? Flags.say(ex, commandLine.getCommandSpec()) : Interrupts.why() + " before the "
                  + "output was committed; nothing was written"));
        }
        return INTERRUPTED;
      }
      IllegalArgumentException badInput = badInput(ex);
      if (badInput != null) {
        errWriter.println("error: " + Flags.say(badInput, commandLine.getCommandSpec()));
        return BAD_INPUT;
      }
      if (ex instanceof BackendUnavailableException
          || ex instanceof NonFiniteGradientException
          || ex instanceof TrainingDivergedException) {
        errWriter.println("error: " + Flags.say(ex, commandLine.getCommandSpec()));
        return FAILURE;
      }
      String noSpace = noSpace(ex);
      if (noSpace != null) {
        errWriter.println("error: " + noSpace);
        return FAILURE;
      }
      if (ex instanceof UncheckedIOException io) {
        // An I/O failure: what and where, without a stack trace (nothing was committed).
        errWriter.println("error: " + io.getMessage() + (io.getCause() == null ? ""
            : ": " + io.getCause().getMessage()));
        return FAILURE;
      }
      // Not the caller's fault: a bug or a failed cluster. The trace here, Spark's side in the log.
      errWriter.println("error: " + ex + logNote());
      ex.printStackTrace(errWriter);
      return FAILURE;
    });
    // A value that is none of an option's choices: one line, as for other bad usage.
    CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler((ex, arguments) -> {
      if (ex.getCause() instanceof Choices.UnknownChoice unknown) {
        errWriter.println("error: " + unknown.getMessage());
        return BAD_INPUT;
      }
      return usage.handleParseException(ex, arguments);
    });
    // Holds the JVM's halt after SIGINT until the command has cleaned up and said so.
    try (Interrupts.Watch watch = Interrupts.watch(
        message -> errWriter.println("interrupted: " + Flags.say(message, running(cli))))) {
      return cli.execute(args);
    } catch (Error e) {
      // Errors pass picocli's handler by; Hadoop's FSError is one (a failed local write).
      String noSpace = noSpace(e);
      if (noSpace == null) {
        throw e;
      }
      errWriter.println("error: " + noSpace);
      return FAILURE;
    }
  }

  /**
   * One line for a full disk (ENOSPC anywhere in {@code ex}'s causes), or null: the output
   * file it was writing when known, else where else a job writes. Nothing was committed, an
   * earlier output is intact, and a trace would only hide the line that matters.
   */
  static String noSpace(Throwable ex) {
    NoSpaceLeftException output = NoSpaceLeftException.find(ex);
    if (output != null) {
      return output.getMessage();
    }
    if (!NoSpaceLeftException.isNoSpace(ex)) {
      return null;
    }
    return "no space left on device while the job ran (on Spark's local folders, "
        + "spark.local.dir, or where it writes)" + logNote();
  }

  /**
   * " (log: FILE)" when scripts/spark-gemm gave this run a log file (spark.gemm.log.file) and
   * something was written to it: Spark's task failures are logged there, not on the console.
   */
  static String logNote() {
    String file = System.getProperty("spark.gemm.log.file");
    return file != null && Files.isRegularFile(Path.of(file)) ? " (log: " + file + ")" : "";
  }

  /** The command that runs (the one parsed last), or null before the command line is parsed. */
  private static CommandSpec running(CommandLine cli) {
    CommandLine.ParseResult parsed = cli.getParseResult();
    if (parsed == null) {
      return null;
    }
    while (parsed.hasSubcommand()) {
      parsed = parsed.subcommand();
    }
    return parsed.commandSpec();
  }

  /**
   * The caller's fault, thrown on the driver or by a Spark task (bad rows and labels are found
   * on the executors, and come back as the cause of a failed Spark job): this project's refusals
   * ({@link BadInputException}, a parameter's among them) wherever they are among the causes,
   * and any other {@link IllegalArgumentException} thrown directly or under Spark's own
   * exceptions only. The latter keeps the refusals of the libraries we call with the user's
   * values (Hadoop's of a path, Spark's of a setting) exit 2 with their own words, while an
   * IllegalArgumentException deep under another failure stays a failure. Spark's exceptions
   * are recognised by name so that commands that never start Spark do not need it on the
   * classpath.
   */
  static IllegalArgumentException badInput(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof BadInputException e) {
        return e;
      }
    }
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException e) {
        return e;
      }
      if (!t.getClass().getName().startsWith("org.apache.spark.")) {
        return null;
      }
    }
    return null;
  }

  /** The project version, from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SparkGemmCli.class.getPackage().getImplementationVersion();
      return new String[] {"spark-gemm " + (v == null ? "(development build)" : v)};
    }
  }
}
