package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders benchmark result rows as Markdown: one table per scenario, the retrained reference (RT) first,
 * then the original (the do-nothing bar), then every method; each cell the mean ± std over seeds. Methods
 * whose Avg Gap is not below the original's, and models that collapsed, are flagged below the table.
 * Class-forgetting scenarios (whose rows carry {@code mia_nn}) add the MIA-NN and TV-FT columns.
 */
public final class Summary {
  /** Test accuracy this many points below RT's marks a model as collapsed, whatever its Avg Gap. */
  public static final double COLLAPSE_POINTS = 15.0;

  /** Columns shown only when some row of the scenario has them: the class-forgetting metrics. */
  private static final List<String> CLASS_ONLY = List.of("mia_nn", "tv_to_retrain_forget_test");

  private static final String[][] COLUMNS = {
    {"forget_acc", "FA", "%.2f"},
    {"retain_acc", "RA", "%.2f"},
    {"test_acc", "TA", "%.2f"},
    {"mia_efficacy", "MIA-eff", "%.2f"},
    {"mia_entropy_member_rate", "MIA-ent", "%.2f"},
    {"kl_to_retrain_forget", "KL-F", "%.4f"},
    {"kl_to_retrain_test", "KL-T", "%.4f"},
    {"mia_nn", "MIA-NN", "%.2f"},
    {"tv_to_retrain_forget_test", "TV-FT", "%.4f"},
    {"avg_gap", "Avg Gap", "%.2f"},
    {"seconds", "s", "%.1f"},
    {"rte", "RTE", "%.3f"},
  };

  private Summary() {}

  /** The whole summary document for {@code rows}. */
  public static String markdown(List<JsonNode> rows) {
    StringBuilder out = new StringBuilder("# Lethe benchmark summary\n\n");
    out.append("Mean ± std over seeds. FA/RA/TA: forget/retain/test accuracy (%). MIA-eff: SalUn's MIA-Efficacy "
        + "(% of forget predicted non-member). MIA-ent: SFR-on's entropy attack (% predicted member). "
        + "KL-F/KL-T: KL(RT ‖ model) on forget/test. MIA-NN (class scenarios): % balanced accuracy of telling the "
        + "forgotten class's train from test images by the other classes' outputs (RT ≈ 50). TV-FT (class scenarios): "
        + "total variation to RT on the forgotten class's test images. Avg Gap: mean |Δ| to RT over FA, RA, TA, MIA-eff. "
        + "RTE: run time / RT's.\n\n");
    for (Map.Entry<String, List<JsonNode>> e : byScenario(rows).entrySet()) {
      out.append(table(e.getKey(), e.getValue())).append('\n');
    }
    return out.toString();
  }

  /** One scenario's table with its flags. */
  public static String table(String scenario, List<JsonNode> rows) {
    Map<String, List<JsonNode>> byMethod = new LinkedHashMap<>();
    for (String first : List.of("retrain", "original")) {
      for (JsonNode r : rows) {
        if (r.get("method").asText().equals(first)) {
          byMethod.computeIfAbsent(first, k -> new ArrayList<>()).add(r);
        }
      }
    }
    for (JsonNode r : rows) {
      byMethod.computeIfAbsent(r.get("method").asText(), k -> new ArrayList<>()).add(r);
    }
    List<String[]> columns = new ArrayList<>();
    for (String[] c : COLUMNS) {
      if (!CLASS_ONLY.contains(c[0]) || rows.stream().anyMatch(r -> r.path("metrics").has(c[0]))) {
        columns.add(c);
      }
    }
    StringBuilder out = new StringBuilder("## ").append(scenario).append("\n\n| method | seeds |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (String[] c : columns) {
      out.append(' ').append(c[1]).append(" |");
      rule.append("---|");
    }
    out.append('\n').append(rule).append('\n');
    double originalGap = Double.NaN;
    double rtTest = Double.NaN;
    if (byMethod.containsKey("original")) {
      originalGap = stats(byMethod.get("original"), "avg_gap")[0];
    }
    if (byMethod.containsKey("retrain")) {
      rtTest = stats(byMethod.get("retrain"), "test_acc")[0];
    }
    List<String> flags = new ArrayList<>();
    for (Map.Entry<String, List<JsonNode>> m : byMethod.entrySet()) {
      List<JsonNode> runs = dedupe(m.getValue());
      out.append("| ").append(m.getKey()).append(" | ").append(runs.size()).append(" |");
      for (String[] c : columns) {
        double[] s = stats(runs, c[0]);
        out.append(' ').append(cell(s, c[2])).append(" |");
      }
      out.append('\n');
      String method = m.getKey();
      if (method.equals("retrain") || method.equals("original")) {
        continue;
      }
      double gap = stats(runs, "avg_gap")[0];
      double test = stats(runs, "test_acc")[0];
      if (!Double.isNaN(rtTest) && (Double.isNaN(test) || test < rtTest - COLLAPSE_POINTS)) {
        flags.add("**" + method + " collapsed**: test accuracy " + fmt("%.2f", test) + " vs RT's " + fmt("%.2f", rtTest) + ".");
      } else if (!Double.isNaN(originalGap) && !(gap < originalGap)) {
        flags.add("**" + method + " did not beat doing nothing**: Avg Gap " + fmt("%.2f", gap)
            + " ≥ the original's " + fmt("%.2f", originalGap) + ".");
      }
    }
    if (!flags.isEmpty()) {
      out.append('\n');
      for (String f : flags) {
        out.append("- ").append(f).append('\n');
      }
    }
    return out.toString();
  }

  private static Map<String, List<JsonNode>> byScenario(List<JsonNode> rows) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    for (JsonNode r : rows) {
      out.computeIfAbsent(r.get("scenario").asText(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  private static List<JsonNode> dedupe(List<JsonNode> runs) {
    Map<Long, JsonNode> bySeed = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      bySeed.put(r.get("seed").asLong(), r);
    }
    return new ArrayList<>(bySeed.values());
  }

  /** Mean and sample standard deviation of a metric over runs, ignoring missing values. */
  static double[] stats(List<JsonNode> runs, String metric) {
    List<Double> values = new ArrayList<>();
    for (JsonNode r : runs) {
      JsonNode v = r.path("metrics").get(metric);
      if (v != null && v.isNumber()) {
        values.add(v.asDouble());
      }
    }
    if (values.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN, 0};
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    double std = values.size() > 1 ? Math.sqrt(var / (values.size() - 1)) : 0;
    return new double[] {mean, std, values.size()};
  }

  private static String cell(double[] s, String format) {
    if (Double.isNaN(s[0])) {
      return "–";
    }
    return s[2] > 1 ? fmt(format, s[0]) + " ± " + fmt(format, s[1]) : fmt(format, s[0]);
  }

  private static String fmt(String format, double v) {
    return String.format(Locale.ROOT, format, v);
  }
}
