package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.PerExampleScores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders result rows as one self-contained HTML page: inline CSS and inline SVG, no script, nothing loaded
 * from anywhere. Per scenario: the results table (as the summary's), the trade-off plot, one bar chart per
 * metric against RT and the noise floor; with {@code bench --audit strong} the per-example audits' table with
 * their floor and ceiling, the KLoM forget-vs-retain scatter and the per-example U-LiRA distributions (read from
 * the rows' {@link PerExampleScores} beside the results); the tuning grids, and the provenance with a command
 * per row.
 */
final class HtmlReport {
  /** The metrics whose bars the report draws: the table's columns but Avg Gap (the trade-off's y) and the cost. */
  private static final Set<String> NOT_BARS = Set.of("avg_gap", "seconds", "rte", "slices_trained", "images_trained");

  private final String title;
  private final String subtitle;
  private final Tuning tuning;
  private final Path dir;
  private final StringBuilder out = new StringBuilder();

  private HtmlReport(String title, String subtitle, Tuning tuning, Path dir) {
    this.title = title;
    this.subtitle = subtitle;
    this.tuning = tuning;
    this.dir = dir;
  }

  /**
   * The page for {@code rows}; {@code subtitle} says where they come from, {@code dir} is the directory their
   * per-example outputs are relative to.
   */
  static String render(String title, String subtitle, List<JsonNode> rows, Tuning tuning, Path dir) {
    return new HtmlReport(title, subtitle, tuning, dir).page(ScenarioResults.of(rows), rows);
  }

  private String page(List<ScenarioResults> scenarios, List<JsonNode> rows) {
    List<String> methods = new ArrayList<>();
    scenarios.forEach(s -> s.methods().forEach(m -> methods.add(m.method())));
    Palette palette = new Palette(methods);
    Charts charts = new Charts(palette);
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
        .append("<header>\n<h1>").append(esc(title)).append("</h1>\n<p class=\"sub\">").append(esc(subtitle)).append("</p>\n")
        .append("<p class=\"legend\">").append(esc(ScenarioResults.LEGEND)).append("</p>\n<nav><ul>\n");
    for (int i = 0; i < scenarios.size(); i++) {
      out.append("<li><a href=\"#s").append(i).append("\">").append(esc(scenarios.get(i).name())).append("</a></li>\n");
    }
    out.append("</ul></nav>\n</header>\n");
    for (int i = 0; i < scenarios.size(); i++) {
      scenario("s" + i, scenarios.get(i), palette, charts);
    }
    requestChains(rows, palette);
    out.append("</body>\n</html>\n");
    return out.toString();
  }

  /**
   * For each forget set served as several deletion requests: every method's Avg Gap and TA after each request, and
   * each request's cost ({@link Summary#REQUEST_TABLES}).
   */
  private void requestChains(List<JsonNode> rows, Palette palette) {
    for (Map.Entry<String, List<ScenarioResults>> chain : ScenarioResults.requestChains(rows).entrySet()) {
      List<ScenarioResults> steps = chain.getValue();
      out.append("<section class=\"scenario\">\n<h2>").append(esc(chain.getKey())).append(" as ").append(steps.size())
          .append(" deletion requests</h2>\n<p>").append(esc(Summary.REQUESTS_NOTE)).append(". ")
          .append(esc(Summary.COST_NOTE)).append(".</p>\n");
      for (Summary.RequestTable table : Summary.REQUEST_TABLES) {
        out.append("<div class=\"scroll\"><table class=\"results\">\n<thead><tr><th>method</th>");
        for (int request = 1; request <= steps.size(); request++) {
          out.append("<th>").append(esc(table.header().apply(request))).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (ScenarioResults.MethodRuns m : steps.get(0).methods()) {
          out.append("<tr class=\"").append(m.reference() ? "reference" : "method").append("\"><td>")
              .append(swatch(palette, m.method())).append(esc(m.method())).append("</td>");
          for (ScenarioResults step : steps) {
            out.append("<td>").append(esc(table.cell().apply(step, m.method()))).append("</td>");
          }
          out.append("</tr>\n");
        }
        out.append("</tbody></table></div>\n");
      }
      out.append("</section>\n");
    }
  }

  private void scenario(String id, ScenarioResults s, Palette palette, Charts charts) {
    JsonNode first = s.rows().get(0);
    JsonNode sizes = first.path("sizes");
    Set<Long> seeds = new java.util.TreeSet<>();
    s.rows().forEach(r -> seeds.add(r.get("seed").asLong()));
    out.append("<section class=\"scenario\" id=\"").append(id).append("\">\n<h2>").append(esc(s.name())).append("</h2>\n")
        .append("<p class=\"sub\">");
    if (sizes.isObject()) {
      out.append("pool ").append(sizes.path("pool").asInt()).append(" images: forget ").append(sizes.path("forget").asInt())
          .append(", retain ").append(sizes.path("retain").asInt()).append("; test ").append(sizes.path("test").asInt())
          .append(" · ");
    }
    out.append("seeds ").append(esc(String.join(", ", seeds.stream().map(String::valueOf).toList()))).append("</p>\n");
    resultsTable(s, palette);
    tradeOff(id, s, charts);
    bars(id, s, charts);
    if (s.hasStrongAudit()) {
      strongAudit(id, s, palette, charts);
    }
    tuningSection(s);
    provenance(s);
    out.append("</section>\n");
  }

  /** The table of every method's mean (± std over seeds) in {@code columns}, its seeds and collapses. */
  private void table(ScenarioResults s, Palette palette, List<ScenarioResults.Column> columns, String cssClass) {
    out.append("<div class=\"scroll\"><table class=\"").append(cssClass).append("\">\n<thead><tr><th>method</th><th>seeds</th>");
    for (ScenarioResults.Column c : columns) {
      out.append("<th title=\"").append(esc(c.meaning())).append("\">").append(esc(c.label())).append("</th>");
    }
    out.append("</tr></thead>\n<tbody>\n");
    for (ScenarioResults.MethodRuns m : s.methods()) {
      out.append("<tr class=\"").append(m.reference() ? "reference" : "method").append("\"><td>")
          .append(swatch(palette, m.method())).append(esc(m.method()));
      if (m.withinFloor()) {
        out.append(" <span class=\"badge ok\" title=\"Avg Gap within the noise floor\">≈RT</span>");
      }
      out.append("</td><td>").append(m.ok().size());
      if (m.collapsedSeeds() > 0) {
        out.append(" <span class=\"badge bad\">+ ").append(m.collapsedSeeds()).append(" collapsed</span>");
      }
      out.append("</td>");
      for (ScenarioResults.Column c : columns) {
        ScenarioResults.Stat st = m.stat(c.metric());
        if (m.ok().isEmpty() && m.collapsedSeeds() > 0) {
          out.append("<td class=\"collapsed\">collapsed</td>");
        } else if (Double.isNaN(st.mean()) || st.n() < 2) {
          out.append("<td>").append(esc(st.cell(c.format()))).append("</td>");
        } else {
          // the std on a line of its own keeps a dozen columns within the page's width
          out.append("<td>").append(esc(c.format(st.mean()))).append("<span class=\"sd\">± ")
              .append(esc(c.formatStd(st.std()))).append("</span></td>");
        }
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table></div>\n");
  }

  private void resultsTable(ScenarioResults s, Palette palette) {
    out.append("<h3>Results</h3>\n");
    table(s, palette, s.columns(), "results");
    ScenarioResults.MethodRuns second = s.method(ScenarioResults.SECOND_RETRAIN);
    if (second != null) {
      out.append("<p>Noise floor (retrain-2, a second exact retrain with an independent initialisation and batch order,"
          + " audited against RT): Avg Gap ").append(esc(second.stat("avg_gap").cell("%.2f")))
          .append(", KL-F ").append(esc(second.stat("kl_to_retrain_forget").cell("%.4f")))
          .append(", JS-F ").append(esc(second.stat("js_to_retrain_forget").cell("%.4f")))
          .append(". A method within it is as close to RT as retraining itself.</p>\n");
    }
    List<ScenarioResults.Flag> flags = s.flags();
    if (!flags.isEmpty()) {
      out.append("<ul class=\"flags\">\n");
      for (ScenarioResults.Flag f : flags) {
        out.append("<li><strong>").append(esc(f.headline())).append("</strong>").append(esc(f.detail())).append("</li>\n");
      }
      out.append("</ul>\n");
    }
  }

  private void tradeOff(String id, ScenarioResults s, Charts charts) {
    List<Charts.Point> points = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (ScenarioResults.MethodRuns m : s.methods()) {
      ScenarioResults.Stat rte = m.stat("rte");
      ScenarioResults.Stat gap = m.stat("avg_gap");
      if (Double.isNaN(rte.mean()) || Double.isNaN(gap.mean())) {
        missing.add(m.method());
      } else {
        points.add(new Charts.Point(m.method(), rte.mean(), rte.std(), gap.mean(), gap.std()));
      }
    }
    out.append("<h3>Trade-off: closeness to RT against run time</h3>\n<figure class=\"chart wide\" data-chart=\"trade-off\">\n")
        .append(charts.tradeOff(id + "-tradeoff", points, s.floor()))
        .append("\n<figcaption>One point per method: mean Avg Gap to RT (y) against run time relative to RT's (x),"
            + " error bars ±1 std over seeds (collapsed seeds left out). The staircase is the Pareto front: the methods"
            + " that nothing faster beats on Avg Gap. Below the dashed noise floor a method is as close to RT as a"
            + " second retrain.");
    if (!missing.isEmpty()) {
      out.append(" Not shown (no finished run with a time and an Avg Gap): ").append(esc(String.join(", ", missing))).append('.');
    }
    out.append("</figcaption>\n</figure>\n");
  }

  private void bars(String id, ScenarioResults s, Charts charts) {
    ScenarioResults.MethodRuns rt = s.method(ScenarioResults.RETRAIN);
    out.append("<h3>Every metric against RT</h3>\n");
    if (rt == null || rt.ok().isEmpty()) {
      out.append("<p class=\"note\">No finished RT row in this scenario: there is nothing to draw the metrics against.</p>\n");
      return;
    }
    out.append("<p>Each bar: the method's difference to RT's value on the same seed (for a distance to RT such as KL,"
        + " the distance itself), mean ± std over seeds. The black line is RT; the grey band is the noise floor, the"
        + " second retrain's mean |difference| on either side (for a distance, from 0 up to its mean distance): a bar"
        + " inside it is as close to RT as retraining gets.</p>\n<div class=\"grid\">\n");
    for (ScenarioResults.Column c : s.columns()) {
      if (NOT_BARS.contains(c.metric())) {
        continue;
      }
      MetricBars bars = metricBars(s, c);
      if (bars.bars().isEmpty()) {
        out.append("<p class=\"note\"><b>").append(esc(c.label())).append("</b>: no finished run has a value.</p>\n");
        continue;
      }
      out.append("<figure class=\"chart\" data-chart=\"bars-").append(esc(c.metric())).append("\">\n<figcaption><b>")
          .append(esc(c.label())).append("</b> (").append(esc(c.meaning())).append("): RT ")
          .append(esc(rt.stat(c.metric()).cell(c.format()))).append("</figcaption>\n")
          .append(charts.metricBars(id + "-bars-" + c.metric().replace('_', '-'),
              c.distance() ? c.label() + " (RT = 0)" : c.label() + " − RT's", bars.bars(), bars.floor(), c.distance()))
          .append("\n</figure>\n");
    }
    out.append("</div>\n");
  }

  private void strongAudit(String id, ScenarioResults s, Palette palette, Charts charts) {
    out.append("<h3>Per-example audits over the shadow ensemble</h3>\n<p>Each method's unlearned twins (the method applied"
        + " to every shadow original) against the shadows' exact retrains; the floor is retrain-2 (a second retrain of"
        + " every shadow), the ceiling original (the shadows untouched); RT's row shows the retrains' own attack values,"
        + " its deltas 0.</p>\n");
    // its dozen long headers wrap, so the table fits the page
    table(s, palette, ScenarioResults.STRONG_COLUMNS, "results strong");
    String bounds = s.strongBounds();
    if (!bounds.isEmpty()) {
      out.append("<p>").append(esc(bounds)).append("</p>\n");
    }
    List<Charts.KlomPoint> points = klomPoints(s);
    out.append("<figure class=\"chart wide\" data-chart=\"klom-scatter\">\n")
        .append(charts.klomScatter(id + "-klom", points))
        .append("\n<figcaption>KLoM, forget against retain: one point per method, the 95th percentile over the forget (y)"
            + " and the retain (x) examples of the per-example KL between the method's and the retrains' margin"
            + " distributions, ±1 std over seeds. Retraining sits at the origin; a method that forgets without damage"
            + " sits low and left, near the floor (grey square, retrain-2); the ceiling (brown diamond, original) is"
            + " what forgetting nothing scores. The dashed lines carry the floor's and the ceiling's forget value"
            + " across.");
    List<String> without = s.methods().stream().filter(m -> !m.method().equals(ScenarioResults.RETRAIN)
        && points.stream().noneMatch(p -> p.method().equals(m.method()))).map(ScenarioResults.MethodRuns::method).toList();
    if (!without.isEmpty()) {
      out.append(" Not shown (no finished run with KLoM): ").append(esc(String.join(", ", without))).append('.');
    }
    out.append("</figcaption>\n</figure>\n");
    List<Charts.Distribution> distributions = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (ScenarioResults.MethodRuns m : s.methods()) {
      if (m.method().equals(ScenarioResults.RETRAIN)) {
        continue;
      }
      List<Double> values = uliraValues(m);
      if (values.isEmpty()) {
        missing.add(m.method());
      } else {
        distributions.add(new Charts.Distribution(m.method(), values));
      }
    }
    if (distributions.isEmpty()) {
      out.append("<p class=\"note\">No per-example U-LiRA values (the rows' per-example outputs are not beside"
          + " results.jsonl): no distribution to draw.</p>\n");
      return;
    }
    out.append("<figure class=\"chart wide\" data-chart=\"ulira-distribution\">\n")
        .append(charts.uliraDistribution(id + "-ulira", distributions))
        .append("\n<figcaption>U-LiRA per example: for each method the distribution over its forget examples (every"
            + " seed's) of the attack accuracy at telling the example's unlearned margins from its retrained ones (box:"
            + " quartiles; line: median; open diamond: mean, the method's U-LiRA score; whiskers: 1.5 IQR). At 0.5 (black line) an"
            + " example is indistinguishable"
            + " from retraining; the dashed lines mark the floor's (grey) and the ceiling's (brown) mean.");
    if (!missing.isEmpty()) {
      out.append(" Not shown (no per-example values): ").append(esc(String.join(", ", missing))).append('.');
    }
    out.append("</figcaption>\n</figure>\n");
  }

  /** Each method's KLoM p95 on retain and forget, mean and std over its finished seeds; methods without one left out. */
  static List<Charts.KlomPoint> klomPoints(ScenarioResults s) {
    List<Charts.KlomPoint> points = new ArrayList<>();
    for (ScenarioResults.MethodRuns m : s.methods()) {
      ScenarioResults.Stat retain = m.stat("klom_retain_p95");
      ScenarioResults.Stat forget = m.stat("klom_forget_p95");
      if (!Double.isNaN(retain.mean()) && !Double.isNaN(forget.mean())) {
        points.add(new Charts.KlomPoint(m.method(), retain.mean(), retain.std(), forget.mean(), forget.std()));
      }
    }
    return points;
  }

  /** Every forget example's U-LiRA accuracy over the method's finished seeds, read from each row's per-example outputs. */
  private List<Double> uliraValues(ScenarioResults.MethodRuns m) {
    List<Double> values = new ArrayList<>();
    for (JsonNode r : m.ok()) {
      String where = r.path(PerExampleScores.ROW_FIELD).asText(null);
      PerExampleScores scores = where == null || dir == null ? null : PerExampleScores.read(dir.resolve(where));
      if (scores != null) {
        for (double v : scores.uliraAccuracy()) {
          values.add(v);
        }
      }
    }
    return values;
  }

  /** One metric's bars (every method but RT, in table order) and its noise floor. */
  record MetricBars(List<Charts.Bar> bars, double floor) {}

  /**
   * The bars of {@code column}: each method's difference to RT's value on the same seed (a seed without a
   * finished RT run is left out), or for a distance to RT the distance itself; and the floor, the second
   * retrain's mean |difference|.
   */
  static MetricBars metricBars(ScenarioResults s, ScenarioResults.Column column) {
    ScenarioResults.MethodRuns rt = s.method(ScenarioResults.RETRAIN);
    Map<Long, JsonNode> rtBySeed = new LinkedHashMap<>();
    if (rt != null) {
      rt.ok().forEach(r -> rtBySeed.put(r.get("seed").asLong(), r));
    }
    List<Charts.Bar> bars = new ArrayList<>();
    double floor = Double.NaN;
    for (ScenarioResults.MethodRuns m : s.methods()) {
      if (m == rt) {
        continue;
      }
      List<Double> values = new ArrayList<>();
      for (JsonNode r : m.ok()) {
        double v = Json.number(r.path("metrics"), column.metric());
        JsonNode ref = rtBySeed.get(r.get("seed").asLong());
        double base = column.distance() ? 0 : ref == null ? Double.NaN : Json.number(ref.path("metrics"), column.metric());
        if (Double.isFinite(v) && Double.isFinite(base)) {
          values.add(v - base);
        }
      }
      ScenarioResults.Stat d = ScenarioResults.stat(values);
      if (m.method().equals(ScenarioResults.SECOND_RETRAIN)) {
        floor = ScenarioResults.stat(values.stream().map(Math::abs).toList()).mean();
      }
      if (d.n() > 0) {
        bars.add(new Charts.Bar(m.method(), d.mean(), d.std(), d.n()));
      }
    }
    return new MetricBars(bars, floor);
  }

  private void tuningSection(ScenarioResults s) {
    out.append("<h3>Tuning</h3>\n");
    Tuning.Section t = tuning.section(s);
    for (String n : t.notes()) {
      out.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
    }
    if (!t.untuned().isEmpty()) {
      out.append("<p>Bare defaults (no tuned recipe entry): ").append(esc(String.join(", ", t.untuned()))).append(".</p>\n");
    }
    for (Tuning.Grid g : t.grids()) {
      out.append("<h4>").append(esc(g.method())).append(" <span class=\"sub\">recipe ").append(esc(g.recipe()))
          .append(", tuned for ").append(esc(g.tunedFor())).append(", selected on the validation split</span></h4>\n");
      for (String n : g.notes()) {
        out.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
      }
      if (!g.points().isEmpty()) {
        gridTable(g);
      } else if (!g.axes().isEmpty()) {
        out.append("<table class=\"grid-axes\"><thead><tr><th>axis</th><th>values tried</th><th>selected</th></tr></thead><tbody>\n");
        g.axes().forEach((axis, values) -> out.append("<tr><td>").append(esc(axis)).append("</td><td>")
            .append(esc(String.join(", ", values))).append("</td><td class=\"selected\">★ ")
            .append(esc(g.winner().getOrDefault(axis, "?"))).append("</td></tr>\n"));
        out.append("</tbody></table>\n");
        if (Double.isFinite(g.winnerGap())) {
          out.append("<p>The winner's mean validation Avg Gap: ").append(ScenarioResults.fmt("%.2f", g.winnerGap())).append(".</p>\n");
        }
      } else if (g.winner().isEmpty() && g.axes().isEmpty() && g.notes().isEmpty()) {
        out.append("<p>No hyperparameter grid: the method ran with its defaults.</p>\n");
      }
    }
  }

  private void gridTable(Tuning.Grid g) {
    Set<String> axes = new LinkedHashSet<>(g.axes().keySet());
    g.points().forEach(p -> axes.addAll(p.values().keySet()));
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Tuning.Point p : g.points()) {
      if (Double.isFinite(p.gap().mean())) {
        lo = Math.min(lo, p.gap().mean());
        hi = Math.max(hi, p.gap().mean());
      }
    }
    out.append("<table class=\"tuning\"><thead><tr>");
    axes.forEach(a -> out.append("<th>").append(esc(a)).append("</th>"));
    out.append("<th title=\"mean |Δ| to RT over FA, RA, validation accuracy and MIA-eff\">Avg Gap (val)</th>"
        + "<th>FA</th><th title=\"accuracy on the validation split\">VA</th><th>seeds</th><th></th></tr></thead>\n<tbody>\n");
    for (Tuning.Point p : g.points()) {
      out.append("<tr").append(p.selected() ? " class=\"selected\"" : "").append(">");
      axes.forEach(a -> out.append("<td>").append(esc(p.values().getOrDefault(a, "–"))).append("</td>"));
      double gap = p.gap().mean();
      // a heat map over the grid: green for the smallest Avg Gap, red for the largest
      String shade = !Double.isFinite(gap) ? "#e0e0e0" : heat(hi > lo ? (gap - lo) / (hi - lo) : 0);
      out.append("<td style=\"background:").append(shade).append("\">").append(esc(p.gap().cell("%.2f"))).append("</td><td>")
          .append(esc(p.forget().cell("%.2f"))).append("</td><td>").append(esc(p.heldOut().cell("%.2f"))).append("</td><td>")
          .append(p.seeds() - p.collapsedSeeds());
      if (p.collapsedSeeds() > 0) {
        out.append(" <span class=\"badge bad\">+ ").append(p.collapsedSeeds()).append(" collapsed</span>");
      }
      out.append("</td><td>").append(p.selected() ? "★ selected" : "").append("</td></tr>\n");
    }
    out.append("</tbody></table>\n");
  }

  /** A colour from pale green (0) through pale yellow to pale red (1). */
  private static String heat(double t) {
    double hue = 120 * (1 - Math.max(0, Math.min(1, t)));
    return ScenarioResults.fmt("hsl(%.0f, 65%%, 82%%)", hue);
  }

  private void provenance(ScenarioResults s) {
    out.append("<h3>Provenance</h3>\n");
    JsonNode config = s.rows().get(0).path("config");
    out.append("<table class=\"kv\"><tbody>\n");
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) config::fields) {
      out.append("<tr><th>").append(esc(e.getKey())).append("</th><td><code>")
          .append(esc(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString())).append("</code></td></tr>\n");
    }
    Set<String> versions = new LinkedHashSet<>();
    s.rows().forEach(r -> versions.add(Json.canonicalText(r.path("provenance").path("versions"))));
    for (String v : versions) {
      out.append("<tr><th>versions</th><td><code>").append(esc(v)).append("</code></td></tr>\n");
    }
    out.append("</tbody></table>\n<details>\n<summary>Every row and the command that recomputes it (").append(s.rows().size())
        .append(" rows; run in a fresh --out: a directory that holds the row skips it)</summary>\n")
        .append("<table class=\"rows\"><thead><tr><th>method</th><th>seed</th><th>status</th><th>finished</th>"
            + "<th>cell key</th><th>recipe</th><th>command</th></tr></thead>\n<tbody>\n");
    for (ScenarioResults.MethodRuns m : s.methods()) {
      for (JsonNode r : m.runs()) {
        JsonNode prov = r.path("provenance");
        String command = Reproduce.line(r);
        out.append("<tr><td>").append(esc(m.method())).append("</td><td>").append(r.get("seed").asLong()).append("</td><td>")
            .append(esc(r.path("status").asText("ok"))).append("</td><td>").append(esc(r.path("finished_at").asText("–")))
            .append("</td><td><code>").append(esc(shortKey(r.path("cell_key").asText("–")))).append("</code></td><td>")
            .append(esc(prov.path("recipe").asText("–"))).append("</td><td><code class=\"cmd\">")
            .append(esc(command.isEmpty() ? "(this row does not record its configuration)" : command))
            .append("</code></td></tr>\n");
      }
    }
    out.append("</tbody></table>\n</details>\n");
  }

  private static String shortKey(String key) {
    return key.length() > 12 ? key.substring(0, 12) + "…" : key;
  }

  private static String swatch(Palette palette, String method) {
    return "<span class=\"swatch\" style=\"background:" + palette.css(method) + "\"></span>";
  }

  /** {@code text} escaped for HTML element content and attribute values. */
  static String esc(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String CSS = """
      body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
             margin: 0 auto; padding: 16px 28px 48px; max-width: 1220px; }
      h1 { font-size: 26px; margin: 8px 0 2px; }
      h2 { font-size: 21px; margin: 36px 0 2px; padding-top: 14px; border-top: 2px solid #444; }
      h3 { font-size: 17px; margin: 26px 0 8px; }
      h4 { font-size: 15px; margin: 16px 0 6px; }
      .sub { color: #666; font-weight: normal; margin-top: 0; }
      .legend { font-size: 13px; color: #444; background: #f6f6f6; padding: 8px 12px; border-radius: 4px; }
      nav ul { padding-left: 20px; margin: 6px 0; }
      table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 6px 0; }
      th, td { padding: 4px 9px; border-bottom: 1px solid #e3e3e3; text-align: right; white-space: nowrap; }
      th { background: #f2f2f2; font-weight: 600; }
      td:first-child, th:first-child { text-align: left; }
      tr.reference td { background: #fafafa; color: #333; }
      tr.selected td { font-weight: 700; box-shadow: inset 0 2px 0 #333, inset 0 -2px 0 #333; }
      .sd { display: block; font-size: 11px; color: #777; }
      table.results th, table.results td { padding: 4px 7px; }
      td.collapsed { color: #b00; font-style: italic; }
      .scroll { overflow-x: auto; }
      table.strong th { white-space: normal; vertical-align: bottom; }
      .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
      .badge { font-size: 12px; padding: 1px 5px; border-radius: 3px; white-space: nowrap; }
      .badge.ok { background: #dcf2dc; color: #155d15; }
      .badge.bad { background: #f8d7d7; color: #8a1010; }
      ul.flags li { margin: 2px 0; }
      .note { color: #6a4b00; background: #fff7e0; padding: 6px 10px; border-radius: 4px; }
      figure { margin: 0; }
      figure.chart svg { display: block; width: 100%; height: auto; }
      figure.wide { max-width: 1180px; }
      figcaption { font-size: 13px; color: #444; margin: 4px 0; }
      .grid figcaption { min-height: 2.9em; }
      .grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 14px 22px; }
      table.kv th { text-align: left; vertical-align: top; }
      table.kv td { text-align: left; white-space: normal; }
      table.rows td { text-align: left; vertical-align: top; }
      table.rows td:last-child { white-space: normal; }
      code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
      details summary { cursor: pointer; margin: 8px 0; }
      """;
}
