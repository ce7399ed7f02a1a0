package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.experiment.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a real tiny benchmark, read as HTML ({@link ReportInChromiumTest} looks at it in a browser). */
class ReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static Path report(Path dir) {
    BenchFixture f = BenchFixture.get();
    return Report.fromDirectory(dir, new Report.Sources(f.recipes(), f.tuning()));
  }

  static Path copyOfResults(Path tmp) throws Exception {
    Path dir = tmp.resolve("bench");
    Files.createDirectories(dir);
    Files.copy(BenchFixture.get().results().resolve("results.jsonl"), dir.resolve("results.jsonl"));
    return dir;
  }

  private static String section(String html, String scenario) {
    int start = html.indexOf("<h2>" + scenario + "</h2>");
    assertThat(start).as("a section for " + scenario).isPositive();
    int end = html.indexOf("</section>", start);
    return html.substring(start, end);
  }

  @Test
  void everyScenarioHasItsTableChartsTuningGridAndACommandPerRow() throws Exception {
    Path dir = copyOfResults(tmp);
    String html = Files.readString(report(dir));
    List<JsonNode> rows = Json.readRows(dir.resolve("results.jsonl"), "");
    assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img")
        .doesNotContainPattern("(src|href)=[\"']?(https?:|//)");
    for (String scenario : BenchFixture.SCENARIOS) {
      String s = section(html, scenario);
      List<String> order = new ArrayList<>();
      Matcher m = Pattern.compile("<tr class=\"(?:reference|method)\"><td><span class=\"swatch\"[^>]*></span>([^<]+)").matcher(s);
      while (m.find()) {
        order.add(m.group(1).trim());
      }
      assertThat(order).as("RT first, then the floor, the do-nothing bar and the methods")
          .containsExactly("retrain", "retrain-2", "original", "ft", "ga");
      assertThat(s).contains("data-chart=\"trade-off\"").contains("<svg id='" + "s" + BenchFixture.SCENARIOS.indexOf(scenario) + "-tradeoff'");
      for (String metric : List.of("forget_acc", "retain_acc", "test_acc", "mia_efficacy", "kl_to_retrain_forget")) {
        assertThat(s).contains("data-chart=\"bars-" + metric + "\"");
      }
      assertThat(s.contains("data-chart=\"bars-tv_to_retrain_forget_test\"")).as("TV-FT bars only for the class scenario")
          .isEqualTo(scenario.contains("class:"));
      long scenarioRows = rows.stream().filter(r -> r.get("scenario").asText().equals(scenario)).count();
      assertThat(count(s, "<code class=\"cmd\">./lethe bench ")).isEqualTo(scenarioRows).isEqualTo(10);
    }
    // on random:0.2 ft ran with the tuned recipe, whose grid is shown with the winner marked, and ga with bare
    // defaults; on class:Dress no recipe fits (tuning covered random forgetting only)
    JsonNode recipe = JSON.readTree(BenchFixture.get().recipes().resolve("fashion-mnist-mlp-random-0.2.json").toFile());
    String winner = recipe.get("winners").get("ft").get("params").get("lr").asText();
    String random = tuning(section(html, BenchFixture.SCENARIOS.get(0)));
    assertThat(random).contains("<h4>ft <span class=\"sub\">recipe fashion-mnist-mlp-random-0.2.json, tuned for random:0.2")
        .contains("Bare defaults (no tuned recipe entry): original, ga.").doesNotContain("No tuning.jsonl");
    assertThat(count(random, "<tr class=\"selected\">")).isEqualTo(1);
    assertThat(count(random, "<tr")).as("a header and the two grid points").isEqualTo(3);
    assertThat(random).containsPattern("<tr class=\"selected\"><td>" + Pattern.quote(winner) + "</td>.*★ selected");
    String cls = tuning(section(html, BenchFixture.SCENARIOS.get(1)));
    assertThat(cls).contains("No tuning data: every method ran with its bare defaults (no recipe in "
        + BenchFixture.get().recipes() + " fits this dataset, model and setup)").doesNotContain("<table");
  }

  private static String tuning(String section) {
    return section.split("<h3>Tuning</h3>")[1].split("<h3>Provenance</h3>")[0];
  }

  @Test
  void withoutTuningDataTheTuningSectionSaysSoAndWhereItWouldBe() throws Exception {
    Path dir = copyOfResults(tmp);
    String html = Files.readString(Report.fromDirectory(dir, new Report.Sources(null, dir)));
    assertThat(tuning(section(html, BenchFixture.SCENARIOS.get(0)))).contains("No tuning.jsonl at " + dir.resolve("tuning.jsonl"))
        .contains("The recipe fashion-mnist-mlp-random-0.2.json is not in any --recipes directory")
        .doesNotContain("★");
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }
}
