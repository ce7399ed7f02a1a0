package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders benchmark result rows as Markdown: one table per scenario, the retrained reference (RT) first,
 * then the second exact retrain (the noise floor), then the original (the do-nothing bar), then every
 * method; each cell the mean ± std over seeds. The floor is printed under each table; methods within it,
 * methods whose Avg Gap is not below the original's by more than it, and models that collapsed are flagged.
 * Class-forgetting scenarios (whose rows carry {@code mia_nn}) add the MIA-NN and TV-FT columns.
 */
public final class Summary {
  /** Test accuracy this many points below RT's marks a model as collapsed, whatever its Avg Gap. */
  public static final double COLLAPSE_POINTS = 15.0;

  private static final String RETRAIN = "retrain";
  private static final String SECOND_RETRAIN = "retrain-2";
  private static final String ORIGINAL = "original";

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
        + "RTE: run time / RT's. retrain-2: a second exact retrain with an independent seed, the noise floor; "
        + "≈RT marks a method whose Avg Gap is within it.\n\n");
    for (Map.Entry<String, List<JsonNode>> e : byScenario(rows).entrySet()) {
      out.append(table(e.getKey(), e.getValue())).append('\n');
    }
    return out.toString();
  }

  /**
   * One scenario's table with its flags. Rows are RT, the second retrain (the noise floor), the original
   * (the do-nothing bar), then every method; collapsed cells are counted apart and left out of the means.
   * Under the table: the noise floor (the second retrain's Avg Gap, KL and JS to RT), and flags for methods
   * that collapsed, that sit within the floor, or that did not beat doing nothing by more than the floor.
   */
  public static String table(String scenario, List<JsonNode> rows) {
    Map<String, List<JsonNode>> byMethod = new LinkedHashMap<>();
    for (String first : List.of(RETRAIN, SECOND_RETRAIN, ORIGINAL)) {
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
    double originalGap = gapOf(byMethod.get(ORIGINAL));
    double floor = gapOf(byMethod.get(SECOND_RETRAIN));
    double tolerance = Double.isNaN(floor) ? 0 : floor;
    double rtTest = byMethod.containsKey(RETRAIN) ? stats(finished(byMethod.get(RETRAIN)), "test_acc")[0] : Double.NaN;
    List<String> flags = new ArrayList<>();
    for (Map.Entry<String, List<JsonNode>> m : byMethod.entrySet()) {
      String method = m.getKey();
      List<JsonNode> runs = dedupe(m.getValue());
      List<JsonNode> ok = finished(runs);
      int collapsedSeeds = runs.size() - ok.size();
      double gap = stats(ok, "avg_gap")[0];
      boolean special = method.equals(RETRAIN) || method.equals(SECOND_RETRAIN) || method.equals(ORIGINAL);
      boolean withinFloor = !special && !Double.isNaN(floor) && gap <= floor;
      out.append("| ").append(method).append(withinFloor ? " ≈RT" : "").append(" | ").append(ok.size())
          .append(collapsedSeeds > 0 ? " + " + collapsedSeeds + " collapsed" : "").append(" |");
      for (String[] c : columns) {
        out.append(' ').append(cell(stats(ok, c[0]), c[2])).append(" |");
      }
      out.append('\n');
      if (special) {
        continue;
      }
      for (JsonNode r : runs) {
        if (!r.path("status").asText("ok").equals("ok")) {
          flags.add("**" + method + " collapsed** on seed " + r.get("seed").asLong() + ": "
              + r.path("collapse").path("reason").asText("unknown reason") + ".");
        }
      }
      if (ok.isEmpty()) {
        continue;
      }
      double test = stats(ok, "test_acc")[0];
      if (!Double.isNaN(rtTest) && (Double.isNaN(test) || test < rtTest - COLLAPSE_POINTS)) {
        flags.add("**" + method + " collapsed**: test accuracy " + fmt("%.2f", test) + " vs RT's " + fmt("%.2f", rtTest) + ".");
      } else if (withinFloor) {
        flags.add("**" + method + " is within the noise floor**: Avg Gap " + fmt("%.2f", gap)
            + " ≤ retrain-2's " + fmt("%.2f", floor) + ".");
      } else if (!Double.isNaN(originalGap) && !(gap < originalGap - tolerance)) {
        flags.add("**" + method + " did not beat doing nothing**: Avg Gap " + fmt("%.2f", gap)
            + " is not below the original's " + fmt("%.2f", originalGap)
            + (tolerance > 0 ? " by more than the noise floor " + fmt("%.2f", tolerance) : "") + ".");
      }
    }
    if (byMethod.containsKey(SECOND_RETRAIN)) {
      List<JsonNode> second = finished(dedupe(byMethod.get(SECOND_RETRAIN)));
      out.append("\nNoise floor (retrain-2: a second exact retrain, independent initialisation and batch order, "
          + "audited against RT): Avg Gap ").append(cell(stats(second, "avg_gap"), "%.2f"))
          .append(", KL-F ").append(cell(stats(second, "kl_to_retrain_forget"), "%.4f"))
          .append(", JS-F ").append(cell(stats(second, "js_to_retrain_forget"), "%.4f"))
          .append(". A method within it is as close to RT as retraining itself.\n");
    }
    if (!flags.isEmpty()) {
      out.append('\n');
      for (String f : flags) {
        out.append("- ").append(f).append('\n');
      }
    }
    return out.toString();
  }

  /** The mean Avg Gap of a method's finished runs, NaN when it has none. */
  private static double gapOf(List<JsonNode> runs) {
    return runs == null ? Double.NaN : stats(finished(dedupe(runs)), "avg_gap")[0];
  }

  /** The runs that did not collapse (rows without a status are from before statuses existed: finished). */
  private static List<JsonNode> finished(List<JsonNode> runs) {
    List<JsonNode> ok = new ArrayList<>();
    for (JsonNode r : runs) {
      if (r.path("status").asText("ok").equals("ok")) {
        ok.add(r);
      }
    }
    return ok;
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
