package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

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

  @Test
  void textIsEscapedForElementsAndAttributes() {
    assertThat(HtmlReport.esc("<a href=\"x\">Tom's & co</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;");
  }
}
