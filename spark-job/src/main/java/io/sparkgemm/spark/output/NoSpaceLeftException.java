package io.sparkgemm.spark.output;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/**
 * A write that found the file system full (ENOSPC), naming the output file or folder it was
 * writing. Not the caller's fault (exit code 1), but no bug either: the command line prints the
 * message alone, without a trace.
 */
public final class NoSpaceLeftException extends IOException {
  private static final long serialVersionUID = 1L;
  /** The text of ENOSPC as the JVM reports it (strerror, C locale). */
  private static final String ENOSPC = "no space left on device";

  /**
   * @param path the file or folder that could not be written, as the user knows it
   * @param cause what the file system threw
   */
  public NoSpaceLeftException(String path, Throwable cause) {
    super("cannot write " + path + ": " + ENOSPC, cause);
  }

  /**
   * Whether ENOSPC is anywhere in {@code t}'s causes and suppressed exceptions: Hadoop's local
   * file system wraps it in an {@code FSError}, Spark in a task failure whose message carries
   * the executor's trace as text (its cause may not survive the trip to the driver).
   */
  public static boolean isNoSpace(Throwable t) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>();
    todo.add(t);
    while (!todo.isEmpty()) {
      Throwable e = todo.poll();
      if (!seen.add(e)) {
        continue;
      }
      if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains(ENOSPC)) {
        return true;
      }
      if (e.getCause() != null) {
        todo.add(e.getCause());
      }
      Collections.addAll(todo, e.getSuppressed());
    }
    return false;
  }

  /** The first {@code NoSpaceLeftException} among {@code t}'s causes, or null. */
  public static NoSpaceLeftException find(Throwable t) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable e = t; e != null && seen.add(e); e = e.getCause()) {
      if (e instanceof NoSpaceLeftException found) {
        return found;
      }
    }
    return null;
  }
}
