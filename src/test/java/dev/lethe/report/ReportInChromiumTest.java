package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.experiment.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real tiny benchmark looked at as a person would, in headless Chromium at 1280 px: every
 * chart laid out and drawing every method, no console error, nothing loaded but the page itself; and proof
 * that the check does see an error, a failed script and a missing file when a page has them.
 */
class ReportInChromiumTest {
  /** Where the screenshot stays after the run, for a person to look at. */
  private static final Path SCREENSHOTS = Path.of("target", "report-screenshots");

  private static HeadlessChromium chromium;

  @TempDir Path tmp;

  @BeforeAll
  static void startChromium() throws Exception {
    chromium = HeadlessChromium.start();
  }

  @AfterAll
  static void stopChromium() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void everyChartIsDrawnWithEveryMethodAndThePageLogsNoErrorAndLoadsNothingElse() throws Exception {
    Path dir = ReportTest.copyOfResults(tmp);
    Path page = ReportTest.report(dir);
    Path shot = SCREENSHOTS.resolve("report-1280.png");
    HeadlessChromium.Page seen = chromium.open(page, 1280, shot);
    assertThat(seen.errors()).as("console errors, exceptions and log errors").isEmpty();
    assertThat(seen.requests()).as("a self-contained page loads nothing but itself")
        .containsExactly(page.toAbsolutePath().toUri().toString());
    assertThat(seen.duplicateIds()).as("the charts' clip paths must not clash").isEmpty();
    List<String> names = new ArrayList<>();
    for (JsonNode chart : seen.charts()) {
      String name = chart.get("section").asText() + " " + chart.get("name").asText();
      names.add(name);
      assertThat(chart.get("svg").asBoolean()).as(name + " has an SVG").isTrue();
      assertThat(chart.get("width").asDouble()).as(name + " width").isGreaterThan(300);
      assertThat(chart.get("height").asDouble()).as(name + " height").isGreaterThan(200);
      assertThat(chart.get("shapes").asInt()).as(name + " draws shapes").isGreaterThan(10);
      List<String> texts = new ArrayList<>();
      chart.get("texts").forEach(t -> texts.add(t.asText()));
      // every method drawn: each point of the trade-off is labelled, each bar names its method on the axis
      List<String> expected = chart.get("name").asText().equals("trade-off")
          ? List.of("retrain", "retrain-2", "original", "ft", "ga") : List.of("retrain-2", "original", "ft", "ga");
      assertThat(texts).as(name + " names every method").containsAll(expected);
    }
    assertThat(names).containsExactlyElementsOf(expectedCharts(Json.readRows(dir.resolve("results.jsonl"), "")));
    BufferedImage image = ImageIO.read(shot.toFile());
    assertThat(image.getWidth()).isEqualTo(1280);
    assertThat(image.getHeight()).isEqualTo(seen.height()).isGreaterThan(3000);
    assertThat(colours(image)).as("a drawn page, not a blank one").isGreaterThan(200);
  }

  @Test
  void theCheckCatchesAConsoleErrorAFailedScriptAndAMissingFile() throws Exception {
    Path dir = ReportTest.copyOfResults(tmp);
    String html = Files.readString(ReportTest.report(dir));
    Path broken = dir.resolve("broken.html");
    Files.writeString(broken, html.replace("</body>", "<img src=\"missing.png\"><script>console.error('injected');"
        + " undefinedFunction();</script></body>"));
    HeadlessChromium.Page seen = chromium.open(broken, 1280, tmp.resolve("broken.png"));
    assertThat(seen.errors()).anyMatch(e -> e.equals("console.error: injected"))
        .anyMatch(e -> e.startsWith("uncaught: ReferenceError: undefinedFunction is not defined"))
        .anyMatch(e -> e.startsWith("log: ") && e.contains("missing.png"));
    assertThat(seen.requests()).contains(dir.resolve("missing.png").toAbsolutePath().toUri().toString());
  }

  /**
   * Per scenario section, in page order: the trade-off, then the bars of every metric column (Avg Gap and
   * timing aside) of which some finished run besides RT has a value (the tiny fixture's MIA-NN has none).
   */
  private static List<String> expectedCharts(List<JsonNode> rows) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < BenchFixture.SCENARIOS.size(); i++) {
      String scenario = BenchFixture.SCENARIOS.get(i);
      out.add("s" + i + " trade-off");
      for (String metric : List.of("forget_acc", "retain_acc", "test_acc", "mia_efficacy", "mia_entropy_member_rate",
          "kl_to_retrain_forget", "kl_to_retrain_test", "mia_nn", "tv_to_retrain_forget_test")) {
        if (rows.stream().anyMatch(r -> r.get("scenario").asText().equals(scenario)
            && !r.get("method").asText().equals("retrain") && r.path("metrics").path(metric).isNumber())) {
          out.add("s" + i + " bars-" + metric);
        }
      }
    }
    return out;
  }

  private static int colours(BufferedImage image) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
