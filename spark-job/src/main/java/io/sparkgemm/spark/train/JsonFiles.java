package io.sparkgemm.spark.train;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * The small JSON files of model folders and checkpoints ({@code model.json},
 * {@code state.json}), read into records and written from them. Reading is strict about what
 * the records say: every field, and every element of a list, is required and non-null unless
 * the component says {@code @JsonSetter(nulls = Nulls.SET)} (so the records' numbers are boxed:
 * a missing primitive would read as 0); a number is never read from a string, nor a whole
 * number from a fraction, nor a name from a number; a key given twice is refused (which of the
 * two was meant cannot be told); fields the records do not name are ignored, as they always
 * were. A record checks its values in its constructor, naming its fields relative to itself;
 * {@link Invalid} names them from the file's root ({@code minibatch.epochs[0].rows}).
 */
final class JsonFiles {
  private static final ObjectMapper MAPPER = mapper();

  private JsonFiles() {
  }

  /** What is wrong with a JSON file, without the file's name (the caller adds it). */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean syntax;

    Invalid(String problem, boolean syntax) {
      super(problem);
      this.syntax = syntax;
    }

    /** Whether the file is not JSON at all (the message is the parser's). */
    boolean syntax() {
      return syntax;
    }
  }

  private static ObjectMapper mapper() {
    JsonMapper mapper = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .defaultSetterInfo(JsonSetter.Value.construct(Nulls.FAIL, Nulls.FAIL))
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build();
    // a number or true where a name (optimizer, loss, file) belongs is damage, not a name
    for (CoercionInputShape shape : List.of(CoercionInputShape.Integer,
        CoercionInputShape.Float, CoercionInputShape.Boolean)) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    return mapper;
  }

  /** The record as the file's text, indented. */
  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /** Reads a JSON object into {@code type}, its constructor's checks included. */
  static <T> T read(InputStream in, Class<T> type) throws IOException, Invalid {
    JsonNode root;
    try {
      root = MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new Invalid(e.getOriginalMessage(), true);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new Invalid("empty", false);
    }
    if (!root.isObject()) {
      throw new Invalid("not a JSON object", false);
    }
    try {
      return MAPPER.treeToValue(root, type);
    } catch (JsonMappingException e) {
      throw new Invalid(problem(root, e), false);
    }
  }

  /** The binding's failure in the file's terms: where, what came, what was expected. */
  private static String problem(JsonNode root, JsonMappingException e) {
    StringBuilder where = new StringBuilder();
    JsonNode value = root;
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        where.append(where.length() == 0 ? "" : ".").append(r.getFieldName());
        value = value.path(r.getFieldName());
      } else {
        where.append('[').append(r.getIndex()).append(']');
        value = value.path(r.getIndex());
      }
    }
    if (e.getCause() instanceof IllegalArgumentException check) {
      // a record's own check: its message names the field from the record
      return (where.length() == 0 ? "" : where + ".") + check.getMessage();
    }
    return where + " is " + show(value) + ", expected " + expected(e);
  }

  /** A value as an error message shows it. */
  static String show(JsonNode value) {
    if (value.isMissingNode()) {
      return "missing";
    }
    return value.isTextual() ? "the string \"" + value.asText() + "\"" : value.toString();
  }

  private static String expected(JsonMappingException e) {
    Class<?> type = null;
    if (e instanceof MismatchedInputException m) {
      type = m.getTargetType();
    } else if (e.getCause() instanceof InputCoercionException c) {
      type = c.getTargetType();
    }
    if (type == null) {
      return "something else (" + e.getOriginalMessage() + ")";
    }
    List<JsonMappingException.Reference> path = e.getPath();
    if (type.isArray() && !path.isEmpty() && path.get(path.size() - 1).getIndex() >= 0) {
      type = type.getComponentType(); // an element of int[] names the array as the target
    }
    // an int field of these files is a count or a size; the one signed value (seed) is a long
    if (type == int.class || type == Integer.class) {
      return "a whole number >= 0";
    }
    if (type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == double.class || type == Double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    return type.isArray() || Collection.class.isAssignableFrom(type) ? "a list" : "an object";
  }
}
