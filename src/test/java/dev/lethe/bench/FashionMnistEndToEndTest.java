package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.data.SplitConfig;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one end-to-end run on real Fashion-MNIST (a 1,500-image pool, a few epochs): trains the original and
 * the retrained reference, unlearns a whole class, audits, logs, summarises, and resumes.
 */
class FashionMnistEndToEndTest {
  @TempDir static Path tmp;
  private static BenchConfig config;
  private static List<JsonNode> rows;

  @BeforeAll
  static void runOnce() {
    config = new BenchConfig(
        "fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 0, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, "cosine"), List.of("class:Sandal", "random:50"),
        List.of("original", "ga", "sfr-on", "trw"), List.of(1L),
        Map.of("ga", Map.of("lr", "1e-3"),
            "sfr-on", Map.of("forgetAlpha", "1000", "forgetFreq", "2", "batchSize", "64")), tmp.resolve("store"), tmp.resolve("out"),
        null);
    rows = new BenchmarkRunner(config).run();
  }

  private JsonNode metrics(String method) {
    return rows.stream().filter(r -> r.get("method").asText().equals(method) && r.get("forget").asText().equals("class:Sandal"))
        .findFirst().orElseThrow().get("metrics");
  }

  @Test
  void retrainedModelNeverPredictsTheForgottenClassOnItsImages() {
    assertThat(metrics("retrain").get("forget_acc").asDouble()).isZero();
    assertThat(metrics("retrain").get("test_acc").asDouble()).isGreaterThan(60);
  }

  @Test
  void gradientAscentForgetsWhatTheOriginalKnew() {
    double original = metrics("original").get("forget_acc").asDouble();
    assertThat(original).isGreaterThan(50);
    assertThat(metrics("ga").get("forget_acc").asDouble()).isLessThan(original);
    assertThat(metrics("ga").get("avg_gap").asDouble()).isLessThan(metrics("original").get("avg_gap").asDouble());
  }

  @Test
  void sfrOnForgetsTheClassWhileTheOtherClassesKeepTheirAccuracy() {
    assertThat(metrics("sfr-on").get("forget_acc").asDouble()).isLessThan(10);
    assertThat(metrics("sfr-on").get("test_acc").asDouble())
        .isGreaterThan(metrics("original").get("test_acc").asDouble() - 5);
  }

  @Test
  void everyRowCarriesTheDocumentedFields() throws Exception {
    List<String> lines = Files.readAllLines(config.out().resolve("results.jsonl"));
    // trw unlearns whole classes only: it has a class:Sandal cell and none in random:50
    assertThat(lines).hasSize(9);
    assertThat(rows.stream().filter(r -> r.get("method").asText().equals("trw")).map(r -> r.get("forget").asText()))
        .containsExactly("class:Sandal");
    for (String line : lines) {
      JsonNode r = Json.MAPPER.readTree(line);
      for (String f : List.of("scenario", "dataset", "model", "forget", "method", "seed", "params", "metrics", "config", "provenance")) {
        assertThat(r.has(f)).as(f).isTrue();
      }
      assertThat(r.get("scenario").asText()).isEqualTo("fashion-mnist/cnn/" + r.get("forget").asText());
      for (String m : List.of("forget_acc", "retain_acc", "test_acc", "mia_efficacy", "kl_to_retrain_forget",
          "kl_to_retrain_test", "avg_gap", "seconds", "rte")) {
        assertThat(r.get("metrics").get(m).isNumber()).as(m).isTrue();
      }
      boolean classForgetting = r.get("forget").asText().startsWith("class:");
      for (String m : List.of("mia_nn", "tv_to_retrain_forget_test")) {
        assertThat(r.get("metrics").has(m)).as(m).isEqualTo(classForgetting);
      }
      assertThat(r.get("provenance").get("versions").get("djl").asText()).isNotEmpty();
    }
    assertThat(Files.readString(config.out().resolve("summary.md"))).contains("| retrain |").contains("| ga |")
        .contains(" MIA-NN |").contains(" TV-FT |");
  }

  @Test
  void rerunSkipsFinishedCellsAndAnInterruptedCellIsRedoneAlone() throws Exception {
    Path results = config.out().resolve("results.jsonl");
    String before = Files.readString(results);
    Map<Path, Long> storeBefore = snapshot(config.store());
    new BenchmarkRunner(config).run();
    assertThat(Files.readString(results)).isEqualTo(before);
    assertThat(snapshot(config.store())).as("no model retrained or rewritten").isEqualTo(storeBefore);

    List<String> lines = new ArrayList<>(Files.readAllLines(results));
    String lastLine = lines.remove(lines.size() - 1);
    Files.write(results, lines);
    List<JsonNode> again = new BenchmarkRunner(config).run();
    assertThat(again).hasSize(9);
    List<String> after = Files.readAllLines(results);
    assertThat(after.subList(0, 8)).isEqualTo(lines);
    assertThat(Json.MAPPER.readTree(after.get(8)).get("method").asText())
        .isEqualTo(Json.MAPPER.readTree(lastLine).get("method").asText());
    assertThat(after.get(8)).isNotEqualTo(lastLine);
    assertThat(snapshot(config.store())).as("the cached original and RT were reused").isEqualTo(storeBefore);
  }

  private static Map<Path, Long> snapshot(Path root) throws java.io.IOException {
    Map<Path, Long> out = new java.util.TreeMap<>();
    try (var walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        if (!p.getFileName().toString().endsWith(".lock")) {
          out.put(p, Files.getLastModifiedTime(p).toMillis());
        }
      }
    }
    return out;
  }
}
