package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.experiment.Json;
import java.util.List;
import dev.lethe.LetheException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultLogTest {
  @TempDir Path dir;

  private static ObjectNode row(String scenario, String method, long seed) {
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("scenario", scenario);
    r.put("method", method);
    r.put("seed", seed);
    return r;
  }

  @Test
  void appendedCellsSurviveReopeningAndAreFoundBySeed() throws Exception {
    Path file = dir.resolve("results.jsonl");
    ResultLog log = ResultLog.open(file);
    log.append(row("s", "ga", 1));
    log.append(row("s", "ft", 1));
    ResultLog again = ResultLog.open(file);
    assertThat(again.rows()).hasSize(2);
    assertThat(again.has("s", "ga", 1)).isTrue();
    assertThat(again.has("s", "ga", 2)).isFalse();
    assertThat(again.has("other", "ga", 1)).isFalse();
    assertThat(Files.readAllLines(file)).hasSize(2);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("results.jsonl");
    }
  }

  @Test
  void malformedLineIsAOneLineErrorNamingTheLine() throws Exception {
    Path file = dir.resolve("results.jsonl");
    Files.writeString(file, "{\"scenario\":\"s\",\"method\":\"ga\",\"seed\":1}\n{not json\n");
    assertThatThrownBy(() -> ResultLog.open(file))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("--out");
  }

  @Test
  void rowWithoutCellKeysIsRejected() throws Exception {
    Path file = dir.resolve("results.jsonl");
    Files.writeString(file, "{\"scenario\":\"s\"}\n");
    assertThatThrownBy(() -> ResultLog.open(file)).isInstanceOf(LetheException.class).hasMessageContaining("line 1");
  }

  @Test
  void directoryInPlaceOfTheFileIsRejected() throws Exception {
    Path file = dir.resolve("results.jsonl");
    Files.createDirectories(file);
    assertThatThrownBy(() -> ResultLog.open(file)).isInstanceOf(LetheException.class).hasMessageContaining("directory");
  }

  private static ObjectNode keyed(String method, long seed, String key, double gap) {
    ObjectNode r = row("s", method, seed);
    r.put(Rows.CELL_KEY, key);
    r.putObject("metrics").put("avg_gap", gap);
    return r;
  }

  @Test
  void cellsAreFoundByKeyAndACommitReplacesTheSameKeyAndTheStaleRowsItSupersedes() throws Exception {
    Path file = dir.resolve("results.jsonl");
    ResultLog log = ResultLog.open(file);
    log.commit(keyed("ga", 1, "k1", 1.0), r -> false);
    log.commit(keyed("ft", 1, "k2", 2.0), r -> false);
    assertThat(log.get("k1").get("metrics").get("avg_gap").asDouble()).isEqualTo(1.0);
    assertThat(log.get("k3")).isNull();
    // the same key again replaces the row in place of appending a duplicate
    List<JsonNode> removed = log.commit(keyed("ga", 1, "k1", 1.5), r -> false);
    assertThat(removed).hasSize(1);
    assertThat(log.rows()).hasSize(2);
    // a new configuration of ga's slot supersedes the stale row
    removed = log.commit(keyed("ga", 1, "k4", 3.0), r -> ResultLog.inSlot(r, "s", "ga", 1));
    assertThat(removed).extracting(r -> r.get(Rows.CELL_KEY).asText()).containsExactly("k1");
    ResultLog again = ResultLog.open(file);
    assertThat(again.rows()).extracting(r -> r.get(Rows.CELL_KEY).asText()).containsExactly("k2", "k4");
    assertThat(again.get("k1")).isNull();
  }

  @Test
  void aChangedCellIsExplainedByTheFieldsThatDiffer() {
    ObjectNode before = row("s", "ga", 1);
    ObjectNode cell = before.putObject("cell");
    cell.putObject("params").put("lr", 3e-4).put("epochs", 5);
    cell.put("seed", 1);
    ObjectNode after = Json.MAPPER.createObjectNode();
    after.putObject("params").put("lr", 1e6).put("epochs", 5);
    after.put("seed", 1);
    assertThat(Rows.changes(before, after)).isEqualTo("params.lr 3.0E-4 -> 1000000.0");
    assertThat(Rows.changes(row("s", "ga", 1), after)).contains("older Lethe");
  }
}
