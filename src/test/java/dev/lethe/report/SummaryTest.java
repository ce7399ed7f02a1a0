package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode row(String method, long seed, double fa, double ta, double gap) {
    ObjectNode r = JSON.createObjectNode();
    r.put("scenario", "fm/cnn/random:0.1");
    r.put("method", method);
    r.put("seed", seed);
    ObjectNode m = r.putObject("metrics");
    m.put("forget_acc", fa);
    m.put("retain_acc", 99.0);
    m.put("test_acc", ta);
    m.put("mia_efficacy", 20.0);
    m.put("avg_gap", gap);
    return r;
  }

  @Test
  void retrainComesFirstThenOriginalAndCellsAreMeanPlusMinusStd() {
    String md = Summary.markdown(List.of(
        row("ga", 1, 80, 85, 3), row("original", 1, 100, 86, 5), row("retrain", 1, 85, 86, 0),
        row("ga", 2, 84, 85, 5)));
    int rt = md.indexOf("| retrain |");
    int orig = md.indexOf("| original |");
    int ga = md.indexOf("| ga |");
    assertThat(rt).isPositive().isLessThan(orig);
    assertThat(orig).isLessThan(ga);
    assertThat(md).contains("| ga | 2 | 82.00 ± 2.83 |");
    assertThat(md).doesNotContain("did not beat");
  }

  @Test
  void methodsNoBetterThanDoingNothingAndCollapsedModelsAreFlagged() {
    String md = Summary.markdown(List.of(
        row("retrain", 1, 85, 86, 0), row("original", 1, 100, 86, 5),
        row("ft", 1, 99, 86, 6), row("ga", 1, 10, 40, 2)));
    assertThat(md).contains("**ft did not beat doing nothing**");
    assertThat(md).contains("**ga collapsed**");
  }

  @Test
  void rerunRowsOfTheSameSeedCountOnce() {
    String md = Summary.markdown(List.of(row("retrain", 1, 85, 86, 0), row("retrain", 1, 85, 86, 0)));
    assertThat(md).contains("| retrain | 1 | 85.00 |");
  }

  @Test
  void classScenariosGetTheClassForgettingColumnsAndOthersDoNot() {
    JsonNode plain = row("retrain", 1, 85, 86, 0);
    ObjectNode byClass = (ObjectNode) row("retrain", 1, 0, 86, 0);
    byClass.put("scenario", "fm/cnn/class:Sandal");
    ((ObjectNode) byClass.get("metrics")).put("mia_nn", 51.5).put("tv_to_retrain_forget_test", 0.0);
    String md = Summary.markdown(List.of(plain, byClass));
    String random = md.substring(md.indexOf("## fm/cnn/random:0.1"), md.indexOf("## fm/cnn/class:Sandal"));
    String cls = md.substring(md.indexOf("## fm/cnn/class:Sandal"));
    assertThat(random).doesNotContain("MIA-NN").doesNotContain("TV-FT");
    assertThat(cls).contains(" MIA-NN | TV-FT |").contains(" 51.50 | 0.0000 |");
  }

  @Test
  void theNoiseFloorIsPrintedAndSetsTheToleranceOfEveryMark() {
    ObjectNode floor = (ObjectNode) row("retrain-2", 1, 86, 86, 1.0);
    ((ObjectNode) floor.get("metrics")).put("kl_to_retrain_forget", 0.125).put("js_to_retrain_forget", 0.03);
    String md = Summary.markdown(List.of(
        row("retrain", 1, 85, 86, 0), floor, row("original", 1, 100, 86, 5),
        row("ft", 1, 86, 86, 0.9),     // within the floor
        row("rl", 1, 90, 86, 4.2),     // 0.8 below the original: less than the floor
        row("salun", 1, 88, 86, 3.5)));  // 1.5 below: a real improvement
    assertThat(md.indexOf("| retrain |")).isLessThan(md.indexOf("| retrain-2 |"));
    assertThat(md.indexOf("| retrain-2 |")).isLessThan(md.indexOf("| original |"));
    assertThat(md).contains("Noise floor (retrain-2").contains("Avg Gap 1.00, KL-F 0.1250, JS-F 0.0300");
    assertThat(md).contains("| ft ≈RT | 1 |").contains("**ft is within the noise floor**: Avg Gap 0.90 ≤ retrain-2's 1.00");
    assertThat(md).contains("**rl did not beat doing nothing**: Avg Gap 4.20 is not below the original's 5.00 by more than the noise floor 1.00");
    assertThat(md).doesNotContain("**salun").doesNotContain("| rl ≈RT");
  }

  @Test
  void collapsedCellsAreCountedApartAndLeftOutOfTheMeans() {
    ObjectNode collapsed = (ObjectNode) row("ga", 2, 0, 0, 99);
    collapsed.put("status", "collapsed");
    collapsed.putObject("collapse").put("step", 3).put("reason", "ga diverged: the loss is NaN at step 3 of 40");
    collapsed.putObject("metrics");
    String md = Summary.markdown(List.of(
        row("retrain", 1, 85, 86, 0), row("original", 1, 100, 86, 5), row("ga", 1, 80, 85, 3), collapsed));
    assertThat(md).contains("| ga | 1 + 1 collapsed | 80.00 |");
    assertThat(md).contains("**ga collapsed** on seed 2: ga diverged: the loss is NaN at step 3 of 40.");
  }

  @Test
  void aSignedColumnsStandardDeviationPrintsUnsigned() {
    List<JsonNode> rows = new java.util.ArrayList<>();
    double[][] deltas = {{0.25, -0.125}, {0.125, -0.375}};
    for (int seed = 1; seed <= 2; seed++) {
      ObjectNode r = (ObjectNode) row("retrain-2", seed, 85, 86, 1);
      ((ObjectNode) r.get("metrics")).put("ensemble_size", 4).put("lira_auc_delta", deltas[seed - 1][0])
          .put("rmia_auc_delta", deltas[seed - 1][1]);
      rows.add(r);
    }
    String md = Summary.markdown(rows);
    // means 0.1875 and -0.25, spreads 0.125/√2 = 0.0884 and 0.25/√2 = 0.1768
    assertThat(md).contains("| +0.188 ± 0.088 |").contains("| -0.250 ± 0.177 |").doesNotContain("± +")
        .doesNotContain("± -");
    assertThat(ScenarioResults.stat(List.of(-0.5, -0.25)).cell("%+.3f")).isEqualTo("-0.375 ± 0.177");
  }

  /** Request {@code request} of 2 of a chain on fm/cnn/random:0.1: a row with its seconds, RTE and SISA's work. */
  private static JsonNode requestRow(String method, int request, double seconds, double rte, double slices,
      double images) {
    ObjectNode r = (ObjectNode) row(method, 1, 85, 86, 1);
    r.put("scenario", "fm/cnn/random:0.1 request " + request + "/2");
    r.put("request", request).put("requests", 2).put("requests_of", "fm/cnn/random:0.1");
    ObjectNode m = (ObjectNode) r.get("metrics");
    m.put("seconds", seconds).put("rte", rte);
    if (slices > 0) {
      m.put("slices_trained", slices).put("images_trained", images);
    }
    return r;
  }

  @Test
  void theRequestTablesEndWithEachRequestsCostAndSisasWork() {
    String md = Summary.markdown(List.of(
        requestRow("retrain", 1, 100, 1, 0, 0), requestRow("ft", 1, 10, 0.1, 0, 0),
        requestRow("sisa", 1, 12.5, 0.125, 3, 4800),
        requestRow("retrain", 2, 80, 1, 0, 0), requestRow("ft", 2, 10, 0.125, 0, 0),
        requestRow("sisa", 2, 4, 0.05, 1, 1200)));
    String chain = md.substring(md.indexOf("## fm/cnn/random:0.1 as 2 deletion requests"));
    assertThat(chain).contains("| method | cost of request 1 | cost of request 2 |\n|---|---|---|\n"
        + "| retrain | 100.0 s | 80.0 s |\n"
        + "| ft | 10.0 s, RTE 0.100 | 10.0 s, RTE 0.125 |\n"
        + "| sisa | 12.5 s, RTE 0.125, slices 3, images 4800 | 4.0 s, RTE 0.050, slices 1, images 1200 |\n");
    // the request's own table shows SISA's work in its columns, a dash for the methods that count none
    String first = md.substring(md.indexOf("## fm/cnn/random:0.1 request 1/2"), md.indexOf("## fm/cnn/random:0.1 request 2/2"));
    assertThat(first).contains(" RTE | slices | images |").contains(" 0.125 | 3 | 4800 |").contains(" 0.100 | – | – |");
  }
}
