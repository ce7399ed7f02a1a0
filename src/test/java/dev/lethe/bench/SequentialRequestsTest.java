package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.data.SplitConfig;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forget set of 60 real Fashion-MNIST images served as 3 deletion requests: every request has its own exact
 * retrain, the original's do-nothing row and the methods' rows, each method serves each request on its own previous
 * result (SISA, of 2 shards of 1 slice, from the checkpoints the previous request left), every row carries what
 * its request cost, and a rerun after losing the last request's rows serves only that request again. A searched
 * worst-case set is served as requests like any other.
 */
class SequentialRequestsTest {
  @TempDir static Path tmp;
  private static BenchConfig config;
  private static List<JsonNode> rows;

  private static BenchConfig config(Path out, int requests) {
    return new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(600, 0, 300, 0),
        new TrainConfig(3, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("random:60"), List.of("original", "ft", "sisa"),
        List.of(1L), Map.of("ft", Map.of("epochs", "1"), "sisa", Map.of("shards", "2", "slices", "1")),
        tmp.resolve("store"), out, null, 0, requests);
  }

  @BeforeAll
  static void runOnce() {
    config = config(tmp.resolve("out"), 3);
    rows = new BenchmarkRunner(config).run();
  }

  private static JsonNode row(int request, String method) {
    return rows.stream().filter(r -> r.get("request").asInt() == request && r.get("method").asText().equals(method))
        .findFirst().orElseThrow();
  }

  @Test
  void everyRequestHasItsRetrainsTheDoNothingRowAndTheMethod() {
    assertThat(rows).hasSize(15);
    assertThat(rows.stream().map(r -> r.get("scenario").asText()).distinct().collect(Collectors.toList()))
        .containsExactly("fashion-mnist/cnn/random:60 request 1/3", "fashion-mnist/cnn/random:60 request 2/3",
            "fashion-mnist/cnn/random:60 request 3/3");
    for (int i = 1; i <= 3; i++) {
      assertThat(row(i, "ft").get("requests_of").asText()).isEqualTo("fashion-mnist/cnn/random:60");
      // RT after request i retrains without all 20·i samples forgotten so far
      assertThat(row(i, "retrain").path("metrics").path("forget_acc").isNumber()).isTrue();
    }
    assertThat(row(1, "retrain").at("/cell/forget_ids").asText()).isNotEqualTo(row(2, "retrain").at("/cell/forget_ids").asText());
    assertThat(row(3, "ft").at("/cell/forget_ids").asText())
        .isEqualTo(row(3, "ft").at("/cell/requests/forget_ids").asText());
  }

  @Test
  void theSummaryShowsHowEachMethodEvolvesOverTheRequests() throws Exception {
    String summary = Files.readString(config.out().resolve("summary.md"));
    assertThat(summary).contains("## fashion-mnist/cnn/random:60 as 3 deletion requests")
        .contains("| Avg Gap after 1 | Avg Gap after 2 | Avg Gap after 3 |").contains("| TA after 3 |")
        .contains("| cost of request 1 | cost of request 2 | cost of request 3 |")
        .containsPattern("\\| sisa \\| [0-9.]+ s, RTE [0-9.]+, slices 2, images 1740 \\| [0-9.]+ s, RTE [0-9.]+, slices 2,"
            + " images 1680 \\| [0-9.]+ s, RTE [0-9.]+, slices 2, images 1620 \\|");
  }

  @Test
  void everyMethodsRowCarriesItsRequestsSecondsAndRteAgainstThatRequestsRetrain() {
    for (int i = 1; i <= 3; i++) {
      double rt = row(i, "retrain").at("/metrics/seconds").asDouble();
      for (String method : List.of("ft", "sisa")) {
        JsonNode m = row(i, method).get("metrics");
        assertThat(m.get("seconds").asDouble()).as("%s request %d", method, i).isPositive();
        assertThat(m.get("rte").asDouble()).isEqualTo(m.get("seconds").asDouble() / rt);
      }
      // each of the 20 deletions hits both shards, each one slice: SISA retrains both, 3 epochs over what is left
      JsonNode sisa = row(i, "sisa").get("metrics");
      assertThat(sisa.get("slices_trained").asDouble()).isEqualTo(2);
      assertThat(sisa.get("images_trained").asDouble()).isEqualTo(3 * (600 - 20 * i));
      assertThat(row(i, "ft").get("metrics").has("slices_trained")).isFalse();
      // both exact retrains train 3 epochs over the 600 - 20·i images left: as many as SISA retraining both shards
      for (String retrain : List.of("retrain", "retrain-2")) {
        assertThat(row(i, retrain).at("/metrics/images_trained").asDouble()).as("%s request %d", retrain, i)
            .isEqualTo(3 * (600 - 20 * i));
      }
    }
  }

  @Test
  void sisaAfterTheThreeRequestsIsSisaDeletingTheWholeForgetSetAtOnce() {
    List<JsonNode> single = new BenchmarkRunner(config(tmp.resolve("out-single"), 1)).run();
    JsonNode once = single.stream().filter(r -> r.get("method").asText().equals("sisa")).findFirst().orElseThrow();
    for (String metric : List.of("forget_acc", "retain_acc", "test_acc", "kl_to_retrain_forget", "kl_to_retrain_test")) {
      assertThat(once.at("/metrics/" + metric)).as(metric).isEqualTo(row(3, "sisa").at("/metrics/" + metric));
    }
  }

  @Test
  void theReportShowsTheSameEvolutionTables() throws Exception {
    Path report = dev.lethe.report.Report.write(config.out(), rows, new dev.lethe.report.Report.Sources(null, config.out()));
    String html = Files.readString(report);
    assertThat(html).contains("<h2>fashion-mnist/cnn/random:60 as 3 deletion requests</h2>")
        .contains("<th>Avg Gap after 1</th><th>Avg Gap after 2</th><th>Avg Gap after 3</th>")
        .contains("<th>TA after 3</th>")
        .contains("<th>cost of request 1</th><th>cost of request 2</th><th>cost of request 3</th>")
        .contains(", slices 2, images 1620</td>");
  }

  @Test
  void aRerunThatLostTheLastRequestServesOnlyThatRequestOnTheStoredEarlierOnes() throws Exception {
    Path out = tmp.resolve("out-resumed");
    Files.createDirectories(out);
    List<String> kept = Files.readAllLines(config.out().resolve("results.jsonl")).stream()
        .filter(l -> !(l.contains("\"request\":3") && l.contains("\"method\":\"ft\""))).toList();
    assertThat(kept).hasSize(14);
    Files.write(out.resolve("results.jsonl"), kept);

    List<JsonNode> again = new BenchmarkRunner(config(out, 3)).run();

    JsonNode ft3 = again.stream().filter(r -> r.get("request").asInt() == 3 && r.get("method").asText().equals("ft"))
        .findFirst().orElseThrow();
    // served from the stored request-3 model: bit-identical metrics, no new training
    assertThat(ft3.get("metrics").get("forget_acc")).isEqualTo(row(3, "ft").get("metrics").get("forget_acc"));
    assertThat(ft3.get("metrics").get("kl_to_retrain_test")).isEqualTo(row(3, "ft").get("metrics").get("kl_to_retrain_test"));
  }

  @Test
  void aRerunIntoTheSameOutputSkipsEveryCell() throws Exception {
    Path out = tmp.resolve("out-again");
    Files.createDirectories(out);
    Files.copy(config.out().resolve("results.jsonl"), out.resolve("results.jsonl"));
    byte[] before = Files.readAllBytes(out.resolve("results.jsonl"));

    new BenchmarkRunner(config(out, 3)).run();

    assertThat(Files.readAllBytes(out.resolve("results.jsonl"))).isEqualTo(before);
  }

  @Test
  void aWorstCaseForgetSetArrivesAsRequestsThatTogetherAreTheSearchedSetItExports() throws Exception {
    BenchConfig worst = new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(600, 0, 300, 0),
        new TrainConfig(3, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("worst:30"), List.of("original"),
        List.of(1L), Map.of(), tmp.resolve("store"), tmp.resolve("out-worst"), null, 0, 3);
    List<JsonNode> served = new BenchmarkRunner(worst).run();

    Path idFile;
    try (var entries = Files.list(tmp.resolve("store"))) {
      idFile = entries.filter(p -> p.getFileName().toString().startsWith("worst-")).findFirst().orElseThrow()
          .resolve("ids.txt");
    }
    int[] searched = Files.readAllLines(idFile).stream().mapToInt(Integer::parseInt).toArray();
    assertThat(searched).hasSize(30);
    String whole = dev.lethe.data.IdFile.hashOf(searched);
    assertThat(served).hasSize(9); // retrain, retrain-2 and original after each of the 3 requests
    for (JsonNode r : served) {
      assertThat(r.at("/cell/requests/forget_ids").asText()).isEqualTo(whole);
    }
    Map<Integer, String> forgottenSoFar = served.stream().filter(r -> r.get("method").asText().equals("retrain"))
        .collect(Collectors.toMap(r -> r.get("request").asInt(), r -> r.at("/cell/forget_ids").asText()));
    assertThat(forgottenSoFar.get(3)).isEqualTo(whole);
    assertThat(forgottenSoFar.get(1)).isNotEqualTo(whole).isNotEqualTo(forgottenSoFar.get(2));
  }

  @Test
  void moreRequestsThanTheForgetSetHoldsIsAOneLineErrorBeforeAnyTraining() {
    assertThatThrownBy(() -> new BenchmarkRunner(config(tmp.resolve("out-bad"), 61)).run())
        .isInstanceOf(LetheException.class)
        .hasMessage("--requests 61 does not fit forget spec random:60 of 60 samples: pass between 1 and 60 requests");
  }
}
