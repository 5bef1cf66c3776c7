package io.sparkgemm.local;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Words for a person that name the library's parameters ({@code blockRows}, {@code stepSize}).
 * The names are kept apart from the other words, so that a front end prints each parameter the
 * way its user set it (the command line by its flag, {@code --block-rows}) and a Pipeline user
 * reads the parameter's own name; paths and column names among the words are never mistaken
 * for a name. Serializable: it travels inside exceptions thrown by Spark tasks.
 */
public final class ParamText implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A parameter named in a text, by its library name. */
  public record Name(String parameter) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** String or {@link Name}, in order. */
  private final List<Serializable> parts;

  private ParamText(List<Serializable> parts) {
    this.parts = Collections.unmodifiableList(parts);
  }

  /** The parameter {@code parameter}, to name among the parts of {@link #of}. */
  public static Name param(String parameter) {
    return new Name(parameter);
  }

  /**
   * A text of {@code parts} in order: each {@link Name} (see {@link #param}) names a parameter,
   * a {@link ParamText} adds its parts, anything else is words ({@code String.valueOf}).
   */
  public static ParamText of(Object... parts) {
    return new ParamText(append(new ArrayList<>(), parts));
  }

  /** {@code texts} one after another with {@code separator} (words) between them. */
  public static ParamText join(String separator, List<ParamText> texts) {
    List<Serializable> parts = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      if (i > 0) {
        parts.add(separator);
      }
      parts.addAll(texts.get(i).parts);
    }
    return new ParamText(parts);
  }

  /** This text followed by {@code more} (parts as for {@link #of}). */
  public ParamText plus(Object... more) {
    return new ParamText(append(new ArrayList<>(parts), more));
  }

  private static List<Serializable> append(List<Serializable> to, Object[] parts) {
    for (Object part : parts) {
      if (part instanceof Name name) {
        to.add(name);
      } else if (part instanceof ParamText text) {
        to.addAll(text.parts);
      } else if (part instanceof Throwable) {
        // a cause passed where words go (a slip from IllegalArgumentException(message, cause))
        throw new IllegalArgumentException("A cause is not words of a text: " + part);
      } else {
        to.add(String.valueOf(part));
      }
    }
    return to;
  }

  /** The parameters named, in order of appearance (with repeats). */
  public List<String> parameters() {
    List<String> names = new ArrayList<>();
    for (Serializable part : parts) {
      if (part instanceof Name name) {
        names.add(name.parameter());
      }
    }
    return names;
  }

  /**
   * The words with each parameter named by {@code nameOf} (its flag, say); a parameter that
   * {@code nameOf} maps to null keeps its own name.
   */
  public String render(Function<String, String> nameOf) {
    StringBuilder out = new StringBuilder();
    for (Serializable part : parts) {
      if (part instanceof Name name) {
        String shown = nameOf.apply(name.parameter());
        out.append(shown != null ? shown : name.parameter());
      } else {
        out.append((String) part);
      }
    }
    return out.toString();
  }

  /** The words with the parameters' own names. */
  @Override
  public String toString() {
    return render(p -> null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParamText other && parts.equals(other.parts);
  }

  @Override
  public int hashCode() {
    return parts.hashCode();
  }
}
