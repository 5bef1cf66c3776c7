package io.sparkgemm.local;

import static io.sparkgemm.local.ParamText.param;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamTextTest {
  private static final Map<String, String> FLAGS = Map.of("blockRows", "--block-rows",
      "labelsPath", "--labels");

  @Test
  void parametersAreNamedByTheFrontEndAndTheOtherWordsStay() {
    // a value that happens to be a parameter's name is words, not a parameter
    ParamText text = ParamText.of(param("blockRows"), " 0 reads 'blockRows' from ", "labelsPath",
        "; give ", param("labelsPath"), " FILE.npy");
    assertThat(text.parameters()).containsExactly("blockRows", "labelsPath");
    assertThat(text.render(FLAGS::get))
        .isEqualTo("--block-rows 0 reads 'blockRows' from labelsPath; give --labels FILE.npy");
    assertThat(text).hasToString(
        "blockRows 0 reads 'blockRows' from labelsPath; give labelsPath FILE.npy");
    assertThat(ParamText.of(param("tol"), " >= 0").render(FLAGS::get))
        .as("no name for it: its own").isEqualTo("tol >= 0");
    assertThat(ParamText.join("; ", List.of(text, ParamText.of(param("tol")))).parameters())
        .containsExactly("blockRows", "labelsPath", "tol");
  }

  @Test
  void aRefusalSaysWhichParameterAndKeepsTheLibrarysNamesInItsMessage() {
    BadParameterException e = new BadParameterException("give ", param("labelsPath"), " or ",
        param("blockRows"));
    assertThat(e.parameter()).isEqualTo("labelsPath");
    assertThat(e).hasMessage("give labelsPath or blockRows").isInstanceOf(BadInputException.class);
    assertThat(e.describe(FLAGS::get)).isEqualTo("give --labels or --block-rows");
    assertThatThrownBy(() -> new BadParameterException("no parameter named"))
        .hasMessageContaining("must name its parameter");
    assertThatThrownBy(() -> new BadParameterException(param("x"), " bad", new Exception("io")))
        .as("a cause among the words").hasMessageContaining("A cause is not words");
  }

  /** Spark sends a task's exception to the driver serialized: the names travel with it. */
  @Test
  void aRefusalSurvivesSerialization() throws IOException, ClassNotFoundException {
    BadInputException sent = new BadInputException("row 3 has NaN; pass ",
        param("allowNonFinite"), " to let it through");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sent);
    }
    Object received;
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      received = in.readObject();
    }
    assertThat(((BadInputException) received).text()).isEqualTo(sent.text());
    assertThat(((BadInputException) received).describe(p -> "--allow-nonfinite"))
        .isEqualTo("row 3 has NaN; pass --allow-nonfinite to let it through");
  }
}
