package io.sparkgemm.cli;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Init;
import io.sparkgemm.local.loss.Loss;
import io.sparkgemm.local.net.Activation;
import io.sparkgemm.spark.block.CacheLevel;
import io.sparkgemm.spark.train.LrSchedule;
import io.sparkgemm.spark.train.Optimizer;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The typed choices of the command line: a picocli converter and completion candidates per
 * option, accepting the spellings the enums parse (e.g. {@code memory-and-disk} as well as
 * {@code MEMORY_AND_DISK}, {@code f32} as well as {@code float32}).
 */
final class Choices {
  private Choices() {
  }

  /** A value typed by the user that is none of the choices: printed as one error line. */
  static final class UnknownChoice extends TypeConversionException {
    private static final long serialVersionUID = 1L;

    UnknownChoice(String message) {
      super(message);
    }
  }

  /**
   * One of {@code values} (shown by {@code label}), read by {@code parse}; anything else is
   * refused naming {@code flag} and the choices.
   */
  abstract static class Choice<E> implements ITypeConverter<E>, Iterable<String> {
    private final String flag;
    private final List<E> values;
    private final Function<E, String> label;
    private final Function<String, E> parse;

    Choice(String flag, List<E> values, Function<E, String> label, Function<String, E> parse) {
      this.flag = flag;
      this.values = values;
      this.label = label;
      this.parse = parse;
    }

    @Override
    public E convert(String text) {
      E value;
      try {
        value = parse.apply(text);
      } catch (IllegalArgumentException e) {
        value = null;
      }
      if (value == null || !values.contains(value)) {
        throw new UnknownChoice("Unknown " + flag + " '" + text + "': expected " + expected());
      }
      return value;
    }

    /** The choices as a phrase: {@code a, b or c}. */
    String expected() {
      List<String> labels = values.stream().map(label).toList();
      int last = labels.size() - 1;
      return last == 0 ? labels.get(0)
          : String.join(", ", labels.subList(0, last)) + " or " + labels.get(last);
    }

    @Override
    public Iterator<String> iterator() {
      return values.stream().map(label).iterator();
    }
  }

  /** backward's --loss: the heads that need no supplied G. */
  static final class PassLoss extends Choice<Loss> {
    PassLoss() {
      super("--loss", List.of(Loss.SUM, Loss.MEAN, Loss.MSE, Loss.SOFTMAX_CE), Loss::label,
          Loss::parse);
    }
  }

  /** train's --loss. */
  static final class TrainLoss extends Choice<Loss> {
    TrainLoss() {
      super("--loss", List.of(Loss.MSE, Loss.SOFTMAX_CE), Loss::label, Loss::parse);
    }
  }

  static final class Optimizers extends Choice<Optimizer> {
    Optimizers() {
      super("--optimizer", List.of(Optimizer.values()), Optimizer::label, Optimizer::parse);
    }
  }

  /** --init of forward and backward: the seeded schemes (W = 0 without --init). */
  static final class Inits extends Choice<Init> {
    Inits() {
      super("--init", List.of(Init.XAVIER, Init.HE, Init.ORTHOGONAL), Init::label, Init::parse);
    }
  }

  /**
   * --init as the shared option reads it: {@link Inits}' schemes and, for train, {@code auto}
   * (he before relu-like activations, xavier otherwise) and {@code zeros}; read as the label.
   */
  static final class InitSchemes extends Choice<String> {
    InitSchemes() {
      super("--init", List.of("xavier", "he", "orthogonal", "auto", "zeros"), s -> s,
          s -> s.toLowerCase(Locale.ROOT));
    }

    @Override
    String expected() {
      return new Inits().expected() + " (train also auto or zeros)";
    }
  }

  static final class Activations extends Choice<Activation> {
    Activations() {
      super("--activation", List.of(Activation.values()), Activation::label, Activation::parse);
    }
  }

  static final class Schedules extends Choice<LrSchedule> {
    Schedules() {
      super("--lr-schedule", List.of(LrSchedule.values()), LrSchedule::label,
          LrSchedule::parse);
    }
  }

  static final class DTypes extends Choice<DType> {
    DTypes() {
      super("--dtype", List.of(DType.values()), DType::label, DType::parse);
    }
  }

  static final class StorageLevels extends Choice<CacheLevel> {
    StorageLevels() {
      super("--storage-level", List.of(CacheLevel.values()), CacheLevel::name,
          CacheLevel::parse);
    }
  }
}
