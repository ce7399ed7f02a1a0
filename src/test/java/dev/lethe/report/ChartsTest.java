package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {
  private static Charts.Point p(String method, double rte, double gap) {
    return new Charts.Point(method, rte, 0, gap, 0);
  }

  @Test
  void theParetoFrontKeepsThePointsNothingFasterAndCloserBeats() {
    List<Charts.Point> points = List.of(
        p("ga", 0.01, 6.5),      // beaten by original: faster and closer
        p("ft", 0.1, 2.0),
        p("original", 0.001, 6.0),
        p("slow", 0.5, 2.0),     // as close as ft, slower
        p("rl", 0.05, 3.0),
        p("retrain", 1.0, 0.0),
        p("broken", Double.NaN, 1.0));
    assertThat(Charts.paretoFront(points)).extracting(Charts.Point::method)
        .containsExactly("original", "rl", "ft", "retrain");
  }

  @Test
  void twoEqualPointsAreBothOnTheFront() {
    assertThat(Charts.paretoFront(List.of(p("a", 0.1, 1.0), p("b", 0.1, 1.0), p("c", 0.2, 1.0))))
        .extracting(Charts.Point::method).containsExactly("a", "b");
  }

  @Test
  void chartsAreDeterministicAndTheirIdsCarryTheGivenPrefix() {
    Charts charts = new Charts(new Palette(List.of("retrain", "ft")));
    List<Charts.Point> points = List.of(p("retrain", 1.0, 0.0), p("ft", 0.01, 2.0));
    String svg = charts.tradeOff("s3-tradeoff", points, 1.0);
    assertThat(svg).isEqualTo(charts.tradeOff("s3-tradeoff", points, 1.0)).startsWith("<svg id='s3-tradeoff'")
        .contains("clipPath id='s3-tradeoff-").contains(">ft</text>").contains("rgb(31,119,180)");
  }

  @Test
  void eachMethodKeepsOneColourAndTheReferencesTheirFixedOnes() {
    Palette palette = new Palette(List.of("retrain", "ga", "retrain-2", "original", "ft", "ga"));
    assertThat(palette.css("retrain")).isEqualTo("#000000");
    assertThat(palette.css("retrain-2")).isEqualTo("#7f7f7f");
    assertThat(palette.css("original")).isEqualTo("#8c564b");
    assertThat(palette.css("ga")).isEqualTo("#1f77b4");
    assertThat(palette.css("ft")).isEqualTo("#ff7f0e");
  }
}
