package io.sparkgemm.local;

/**
 * An exception whose message names the library's parameters: a front end renders {@link #text()}
 * with its own names for them (the command line's flags) instead of {@code getMessage()}, which
 * uses the parameters' own names.
 */
public interface NamesParameters {
  /** The message, with the parameters it names kept apart from its other words. */
  ParamText text();
}
