package dev.lethe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.experiment.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's results: one JSON object per line, one line per finished cell. A cell is identified by
 * its cell key, the content hash of everything that determines it ({@link Rows}); committing a line is the
 * commit point of a cell: the whole file is rewritten through a temporary file and an atomic rename, so an
 * interrupted run never leaves a half-written line, and a rerun skips every cell whose key is present.
 */
public final class ResultLog {
  private final Path file;
  private final List<JsonNode> rows = new ArrayList<>();

  private ResultLog(Path file) {
    this.file = file;
  }

  /** Opens (or starts) the log at {@code file}; a malformed existing file is a one-line error. */
  public static ResultLog open(Path file) {
    ResultLog log = new ResultLog(file);
    if (Files.isDirectory(file)) {
      throw new LetheException("results file " + file + " is a directory: pass another --out");
    }
    if (Files.exists(file)) {
      log.rows.addAll(Json.readRows(file, "move the file away or pass another --out"));
    }
    return log;
  }

  /** True if some row of (scenario, method, seed) is logged, whatever its configuration. */
  public boolean has(String scenario, String method, long seed) {
    return find(r -> inSlot(r, scenario, method, seed)) != null;
  }

  /** The row whose cell key ({@link Rows#CELL_KEY}) is {@code cellKey}, or null. */
  public JsonNode get(String cellKey) {
    return find(r -> cellKey.equals(r.path(Rows.CELL_KEY).asText(null)));
  }

  /** The first row satisfying {@code test}, or null. */
  public JsonNode find(java.util.function.Predicate<JsonNode> test) {
    for (JsonNode r : rows) {
      if (test.test(r)) {
        return r;
      }
    }
    return null;
  }

  /** True if {@code row} is the cell (scenario, method, seed), in any configuration. */
  public static boolean inSlot(JsonNode row, String scenario, String method, long seed) {
    return row.get("scenario").asText().equals(scenario)
        && row.get("method").asText().equals(method)
        && row.get("seed").asLong() == seed;
  }

  /** Appends a finished cell, replacing a row with the same cell key, and commits the file atomically. */
  public void append(ObjectNode row) {
    commit(row, r -> false);
  }

  /**
   * Commits a finished cell: removes every row with the same cell key and every row {@code supersedes}
   * accepts (a stale row of the same slot computed under another configuration), adds {@code row}, and
   * rewrites the file atomically.
   *
   * @return the rows removed
   */
  public List<JsonNode> commit(ObjectNode row, java.util.function.Predicate<JsonNode> supersedes) {
    String key = row.path(Rows.CELL_KEY).asText(null);
    List<JsonNode> removed = new ArrayList<>();
    rows.removeIf(r -> {
      boolean stale = (key != null && key.equals(r.path(Rows.CELL_KEY).asText(null))) || supersedes.test(r);
      if (stale) {
        removed.add(r);
      }
      return stale;
    });
    rows.add(row);
    StringBuilder text = new StringBuilder();
    try {
      for (JsonNode r : rows) {
        text.append(Json.MAPPER.writeValueAsString(r)).append('\n');
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Json.writeAtomically(file, text.toString());
    return removed;
  }

  /** All rows in file order. */
  public List<JsonNode> rows() {
    return List.copyOf(rows);
  }
}
