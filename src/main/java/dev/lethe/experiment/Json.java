package dev.lethe.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * JSON helpers: canonical form and content keys, numbers that may be null, atomic file writes, result-row files
 * (metrics are written by {@link dev.lethe.audit.AuditResult#putMetrics}).
 */
public final class Json {
  /** The shared mapper. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A copy of {@code node} with object fields sorted by name, recursively. */
  public static JsonNode canonical(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = MAPPER.createObjectNode();
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      for (String n : names) {
        out.set(n, canonical(node.get(n)));
      }
      return out;
    }
    if (node.isArray()) {
      var out = MAPPER.createArrayNode();
      for (JsonNode e : node) {
        out.add(canonical(e));
      }
      return out;
    }
    return node;
  }

  /** The canonical JSON text of {@code node} (sorted fields), for comparisons that ignore number types. */
  public static String canonicalText(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(canonical(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The fields in which {@code after} differs from {@code before}, recursively through objects, each as
   * {@code path old -> new} ({@code (none)} for a missing side), in field-name order; numbers compare by
   * their canonical text.
   */
  public static List<String> differences(JsonNode before, JsonNode after) {
    List<String> out = new ArrayList<>();
    diff("", before, after, out);
    return out;
  }

  private static void diff(String path, JsonNode before, JsonNode after, List<String> out) {
    if (before != null && after != null && before.isObject() && after.isObject()) {
      java.util.Set<String> names = new java.util.TreeSet<>();
      before.fieldNames().forEachRemaining(names::add);
      after.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path.isEmpty() ? n : path + "." + n, before.get(n), after.get(n), out);
      }
    } else if (before == null || after == null || !canonicalText(before).equals(canonicalText(after))) {
      out.add(path + " " + (before == null ? "(none)" : before) + " -> " + (after == null ? "(none)" : after));
    }
  }

  /** SHA-256 hex of the canonical JSON text of {@code node}: the content key of an artifact. */
  public static String contentKey(JsonNode node) {
    try {
      byte[] text = MAPPER.writeValueAsBytes(canonical(node));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A numeric field, or NaN if it is absent or null. */
  public static double number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
  }

  /** Writes {@code text} to {@code file} through a temporary sibling and an atomic rename. */
  public static void writeAtomically(Path file, String text) {
    dev.lethe.data.AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The rows of an existing results file, in file order. A line that is not JSON (a truncated or edited
   * line) or not a result row is a one-line error naming the line and ending with {@code remedy}.
   */
  public static List<JsonNode> readRows(Path file, String remedy) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new LetheException("cannot read " + file + ": " + e.getMessage());
    }
    List<JsonNode> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonNode row;
      try {
        row = MAPPER.readTree(lines.get(i));
      } catch (JsonProcessingException e) {
        throw new LetheException(file + " line " + (i + 1) + " is not valid JSON (truncated?): " + remedy);
      }
      if (!row.isObject() || !row.hasNonNull("scenario") || !row.hasNonNull("method") || !row.has("seed")) {
        throw new LetheException(file + " line " + (i + 1) + " is not a Lethe result row: " + remedy);
      }
      rows.add(row);
    }
    return rows;
  }
}
