package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.experiment.PerExampleScores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode row(String method, long seed, double fa, double kl) {
    ObjectNode r = JSON.createObjectNode();
    r.put("scenario", "fm/cnn/random:0.1");
    r.put("method", method);
    r.put("seed", seed);
    r.putObject("metrics").put("forget_acc", fa).put("kl_to_retrain_forget", kl);
    return r;
  }

  private static ScenarioResults.Column column(String metric) {
    return ScenarioResults.COLUMNS.stream().filter(c -> c.metric().equals(metric)).findFirst().orElseThrow();
  }

  @Test
  void barsArePairedDifferencesToRtAndDistancesAsTheyAreWithTheSecondRetrainAsTheFloor() {
    ObjectNode collapsed = (ObjectNode) row("ga", 2, 0, 0);
    collapsed.put("status", "collapsed");
    ScenarioResults s = new ScenarioResults("fm/cnn/random:0.1", List.of(
        row("retrain", 1, 80, 0), row("retrain", 2, 82, 0),
        row("retrain-2", 1, 81, 0.1), row("retrain-2", 2, 81, 0.3),
        row("ft", 1, 85, 0.2), row("ft", 2, 89, 0.4), row("ft", 3, 70, 0.6),  // seed 3 has no RT: no FA difference
        row("ga", 1, 90, 0.5), collapsed));
    HtmlReport.MetricBars fa = HtmlReport.metricBars(s, column("forget_acc"));
    assertThat(fa.floor()).isEqualTo(1.0);  // |81 - 80| and |81 - 82|
    assertThat(fa.bars()).extracting(Charts.Bar::method).containsExactly("retrain-2", "ft", "ga");
    assertThat(fa.bars().get(0).mean()).isEqualTo(0.0);
    assertThat(fa.bars().get(0).std()).isCloseTo(Math.sqrt(2), within(1e-12));
    assertThat(fa.bars().get(1).mean()).isEqualTo(6.0);  // 85 - 80 and 89 - 82
    assertThat(fa.bars().get(1).n()).isEqualTo(2);
    assertThat(fa.bars().get(2).mean()).isEqualTo(10.0);  // the collapsed seed is left out
    assertThat(fa.bars().get(2).n()).isEqualTo(1);
    HtmlReport.MetricBars kl = HtmlReport.metricBars(s, column("kl_to_retrain_forget"));
    assertThat(kl.floor()).isCloseTo(0.2, within(1e-12));
    assertThat(kl.bars().get(1).mean()).as("a distance needs no RT of its seed").isCloseTo(0.4, within(1e-12));
    assertThat(kl.bars().get(1).n()).isEqualTo(3);
  }

  /** A strong-audit row: KLoM p95 on forget and retain, U-LiRA, and the rest of the floor-and-ceiling line's metrics. */
  private static ObjectNode strong(String method, long seed, double klomForget, double klomRetain, double ulira) {
    ObjectNode r = JSON.createObjectNode();
    r.put("scenario", "fm/mlp/random:40");
    r.put("method", method);
    r.put("seed", seed);
    r.putObject("metrics").put("forget_acc", 90).put("klom_forget_p95", klomForget).put("klom_retain_p95", klomRetain)
        .put("ulira_accuracy", ulira).put("forget_quality", 0.5).put("lira_auc_delta", 0.25).put("rmia_auc_delta", -0.125)
        .put("ensemble_size", 6);
    return r;
  }

  /** Writes {@code accuracies} as the row's per-example values under {@code dir} and names them in the row. */
  private static ObjectNode withPerExample(ObjectNode row, Path dir, double... accuracies) {
    String where = "outputs/" + row.get("method").asText() + "/seed" + row.get("seed").asLong();
    int[] ids = java.util.stream.IntStream.range(0, accuracies.length).toArray();
    new PerExampleScores(ids, accuracies, new double[accuracies.length]).write(dir.resolve(where), null);
    row.put(PerExampleScores.ROW_FIELD, where);
    return row;
  }

  private static String figure(String html, String chart) {
    int start = html.indexOf("<figure class=\"chart wide\" data-chart=\"" + chart + "\">");
    assertThat(start).as(chart).isNotNegative();
    return html.substring(start, html.indexOf("</figure>", start));
  }

  @Test
  void theStrongAuditShowsTheKlomScatterAndThePerExampleULiraBoxesWithFloorAndCeiling(@TempDir Path dir) throws Exception {
    List<JsonNode> rows = List.of(
        strong("retrain", 1, Double.NaN, Double.NaN, Double.NaN),
        withPerExample(strong("retrain-2", 1, 2.0, 1.0, 0.25), dir, 0.25, 0.5, 0.0),
        withPerExample(strong("retrain-2", 2, 4.0, 3.0, 0.5), dir, 0.5),
        withPerExample(strong("original", 1, 11.5, 7.0, 0.75), dir, 1.0, 0.5),
        withPerExample(strong("ft", 1, 11.5, 7.0, 0.625), dir, 0.75, 0.5),
        strong("ga", 1, 9.0, 5.0, 0.5));
    ((ObjectNode) rows.get(0).get("metrics")).remove(List.of("klom_forget_p95", "klom_retain_p95", "ulira_accuracy"));
    ScenarioResults s = ScenarioResults.of(rows).get(0);

    List<Charts.KlomPoint> points = HtmlReport.klomPoints(s);
    assertThat(points).extracting(Charts.KlomPoint::method).containsExactly("retrain-2", "original", "ft", "ga");
    assertThat(points.get(0)).isEqualTo(new Charts.KlomPoint("retrain-2", 2.0, Math.sqrt(2), 3.0, Math.sqrt(2)));
    // ft sits exactly on the original (both saturated): one label names both, ft's own is empty
    assertThat(Charts.coincidentLabels(points)).containsExactly("retrain-2", "original, ft", "", "ga");
    assertThat(s.strongBounds()).isEqualTo("Floor (retrain-2: as close as retraining gets): KLoM-F p95 3.000 ± 1.414, "
        + "KLoM-R p95 2.000 ± 1.414, U-LiRA 0.375 ± 0.177, F 0.500 ± 0.000, LiRA AUC Δ +0.250 ± 0.000, RMIA AUC Δ -0.125 "
        + "± 0.000; ceiling (original: nothing forgotten): KLoM-F p95 11.500, KLoM-R p95 7.000, U-LiRA 0.750, F 0.500, "
        + "LiRA AUC Δ +0.250, RMIA AUC Δ -0.125. A method at the floor is audited like retraining; one at the ceiling has "
        + "forgotten nothing.");

    String html = Files.readString(Report.write(dir, rows, new Report.Sources(null, dir)));
    String strongPart = html.substring(html.indexOf("<h3>Per-example audits over the shadow ensemble</h3>"));
    assertThat(strongPart).contains("<th title=\"U-LiRA attack accuracy (0.5 = like retraining)\">U-LiRA</th>")
        .contains(HtmlReport.esc(s.strongBounds()))
        // retrain-2's two seeds: a signed delta's spread is unsigned
        .contains("<td>+0.250<span class=\"sd\">± 0.000</span></td>").doesNotContain("± +");
    String klom = figure(html, "klom-scatter");
    assertThat(klom).contains(">retrain-2 (floor)<").contains(">original (ceiling)<").contains(">ft<").contains(">ga<")
        .contains(">original, ft<").contains(">floor (retrain-2)<").contains(">ceiling (original)<")
        .contains("KLoM on the retain examples, 95th percentile") // the rotated y label is drawn as outlines
        .doesNotContain("Not shown");
    String ulira = figure(html, "ulira-distribution");
    assertThat(ulira).contains(">retrain-2 (floor)<").contains(">original (ceiling)<").contains(">ft<")
        .contains("Not shown (no per-example values): ga.");
    assertThat(ulira.substring(0, ulira.indexOf("<figcaption>"))).doesNotContain(">ga<");

    // without the per-example files beside results.jsonl there is nothing to draw, and the page says so
    dev.lethe.model.Checkpoints.deleteTree(dir.resolve("outputs"));
    String bare = Files.readString(Report.write(dir, rows, new Report.Sources(null, dir)));
    assertThat(bare).contains("data-chart=\"klom-scatter\"").doesNotContain("data-chart=\"ulira-distribution\"")
        .contains("No per-example U-LiRA values");
  }

  @Test
  void textIsEscapedForElementsAndAttributes() {
    assertThat(HtmlReport.esc("<a href=\"x\">Tom's & co</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;");
  }
}
