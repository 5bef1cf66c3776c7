package io.sparkgemm.cli;

import io.sparkgemm.local.NamesParameters;
import io.sparkgemm.local.ParamText;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's names for the library's parameters. Library errors name parameters (a
 * Pipeline user who called {@code setStepSize(-1)} never typed {@code --lr}) and keep the names
 * apart from their other words ({@link ParamText}); the command line prints them with its flags
 * instead, so {@code blockRows must be >= 1} reads {@code --block-rows must be >= 1}. Which flag
 * sets which parameter is picocli's model: an option that sets a library parameter names it as
 * its {@code descriptionKey} ({@code @Option(names = "--block-rows", descriptionKey =
 * "blockRows")}). A parameter no option of the command sets keeps its own name.
 */
final class Flags {
  private Flags() {
  }

  /** Parameter to flag for the options of {@code command} (its mixins' included). */
  static Function<String, String> of(CommandSpec command) {
    Map<String, String> flags = new HashMap<>();
    if (command != null) {
      for (OptionSpec option : command.options()) {
        String parameter = option.descriptionKey();
        if (parameter != null && !parameter.isEmpty()) {
          flags.putIfAbsent(parameter, option.longestName());
        }
      }
    }
    return flags::get;
  }

  /** {@code text} as the user of {@code command} reads it: its parameters as flags. */
  static String say(ParamText text, CommandSpec command) {
    return text.render(of(command));
  }

  /**
   * {@code ex}'s message as the user of {@code command} reads it: the parameters an exception
   * keeps apart ({@link NamesParameters}) as flags, any other message as it is.
   */
  static String say(Throwable ex, CommandSpec command) {
    return ex instanceof NamesParameters named ? say(named.text(), command) : ex.getMessage();
  }
}
