package io.sparkgemm.spark.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code report.json}: an ordered map of what a command did, written as indented JSON. */
public final class Report {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public Report put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** A nested object, created on first use. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> section(String key) {
    return (Map<String, Object>) fields.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  public Map<String, Object> fields() {
    return fields;
  }

  public static List<Long> shape(long... dims) {
    return Arrays.stream(dims).boxed().toList();
  }

  public void write(OutputDir out) {
    try (OutputStream stream = out.create("report.json")) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(stream, fields);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write report.json", e);
    }
  }
}
