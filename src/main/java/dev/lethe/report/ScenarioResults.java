package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * One scenario's result rows as the Markdown summary and the HTML report both show them: grouped by method
 * in the order RT, the second exact retrain (the noise floor), the original (the do-nothing bar), then every
 * method in row order; one run per seed (a later row of the same seed wins); collapsed runs counted apart and
 * left out of every mean; the columns the scenario has; and the flags under its table.
 */
final class ScenarioResults {
  static final String RETRAIN = "retrain";
  static final String SECOND_RETRAIN = "retrain-2";
  static final String ORIGINAL = "original";

  /**
   * What every column and reference row means, printed above the tables of the summary and the report.
   */
  static final String LEGEND = "Mean ± std over seeds. FA/RA/TA: forget/retain/test accuracy (%). MIA-eff: SalUn's "
      + "MIA-Efficacy (% of forget predicted non-member). MIA-ent: SFR-on's entropy attack (% predicted member). "
      + "KL-F/KL-T: KL(RT ‖ model) on forget/test. MIA-NN (class scenarios): % balanced accuracy of telling the "
      + "forgotten class's train from test images by the other classes' outputs (RT ≈ 50). TV-FT (class scenarios): "
      + "total variation to RT on the forgotten class's test images. Avg Gap: mean |Δ| to RT over FA, RA, TA, MIA-eff. "
      + "RTE: run time / RT's. Slices/images (SISA): the (shard, slice) steps its deletion trained and the images they "
      + "passed over (epochs × the slice prefix's size; RT's and retrain-2's: epochs × the retain set's size). "
      + "retrain-2: a second exact retrain with an independent seed, the noise floor; "
      + "≈RT marks a method whose Avg Gap is within it.";

  /**
   * A metric column: its key in a row's {@code metrics}, its short label, what it measures (with its unit),
   * its number format, and whether it is a distance to RT (zero for RT by definition, never negative).
   */
  record Column(String metric, String label, String meaning, String format, boolean distance) {
    /** {@code v} in this column's format. */
    String format(double v) {
      return fmt(format, v);
    }

    /** A standard deviation {@code v} in this column's format, never signed. */
    String formatStd(double v) {
      return fmt(unsigned(format), v);
    }
  }

  /**
   * The per-example audits' columns ({@code lethe bench --audit strong}), shown in their own table: retrain-2
   * is their floor and original their ceiling.
   */
  static final List<Column> STRONG_COLUMNS = List.of(
      new Column("klom_forget_p95", "KLoM-F p95", "KLoM on the forget examples, 95th percentile", "%.3f", true),
      new Column("klom_forget_median", "KLoM-F med", "KLoM on the forget examples, median", "%.3f", true),
      new Column("klom_retain_p95", "KLoM-R p95", "KLoM on the retain examples, 95th percentile", "%.3f", true),
      new Column("klom_val_p95", "KLoM-V p95", "KLoM on the validation examples, 95th percentile", "%.3f", true),
      new Column("ulira_accuracy", "U-LiRA", "U-LiRA attack accuracy (0.5 = like retraining)", "%.3f", false),
      new Column("forget_quality", "F", "NeurIPS 2023 forget quality (1 = like retraining)", "%.3f", false),
      new Column("forget_quality_n", "N", "models per side behind F", "%.0f", false),
      new Column("lira_auc_delta", "LiRA AUC Δ", "LiRA AUC minus the retrains' (lira_auc_retrain)", "%+.3f", false),
      new Column("lira_tpr_at_1pct_fpr_delta", "LiRA TPR@1% Δ", "LiRA TPR at 1% FPR minus the retrains'", "%+.3f", false),
      new Column("rmia_auc_delta", "RMIA AUC Δ", "RMIA AUC minus the retrains' (rmia_auc_retrain)", "%+.3f", false),
      new Column("rmia_tpr_at_1pct_fpr_delta", "RMIA TPR@1% Δ", "RMIA TPR at 1% FPR minus the retrains'", "%+.3f", false),
      new Column("ensemble_size", "M", "shadow models in the ensemble", "%.0f", false));

  /** Every metric column in display order; the class-forgetting ones only where a row has them. */
  static final List<Column> COLUMNS = List.of(
      new Column("forget_acc", "FA", "forget accuracy, %", "%.2f", false),
      new Column("retain_acc", "RA", "retain accuracy, %", "%.2f", false),
      new Column("test_acc", "TA", "test accuracy, %", "%.2f", false),
      new Column("mia_efficacy", "MIA-eff", "forget predicted non-member, %", "%.2f", false),
      new Column("mia_entropy_member_rate", "MIA-ent", "entropy attack: predicted member, %", "%.2f", false),
      new Column("kl_to_retrain_forget", "KL-F", "KL(RT ‖ model) on the forget set", "%.4f", true),
      new Column("kl_to_retrain_test", "KL-T", "KL(RT ‖ model) on the test set", "%.4f", true),
      new Column("mia_nn", "MIA-NN", "forgotten class train vs test, balanced accuracy %", "%.2f", false),
      new Column("tv_to_retrain_forget_test", "TV-FT", "total variation to RT, forgotten class's test images", "%.4f", true),
      new Column("attack_success_rate", "ASR", "backdoor: triggered test images predicted as the target, %", "%.2f", false),
      new Column("poisoned_clean_acc", "Clean-P", "poisoned images classified as their clean label, %", "%.2f", false),
      new Column("avg_gap", "Avg Gap", "mean |Δ| to RT over FA, RA, TA, MIA-eff", "%.2f", true),
      new Column("seconds", "s", "run time, seconds", "%.1f", false),
      new Column("rte", "RTE", "run time relative to RT's", "%.3f", false),
      new Column("slices_trained", "slices", "(shard, slice) steps the deletion trained (SISA)", "%.0f", false),
      new Column("images_trained", "images", "images the trained steps passed over (SISA, RT, retrain-2)", "%.0f",
          false));

  /**
   * Columns shown only when some row of the scenario has them: the class-forgetting and poisoned-batch metrics, and
   * SISA's work.
   */
  private static final List<String> OPTIONAL = List.of("mia_nn", "tv_to_retrain_forget_test", "attack_success_rate",
      "poisoned_clean_acc", "slices_trained", "images_trained");

  /** A flag under a scenario's table: a bold headline and the sentence after it. */
  record Flag(String headline, String detail) {}

  /** Mean and sample standard deviation of a metric over {@code n} runs (NaN mean when there are none). */
  record Stat(double mean, double std, int n) {
    /** The cell text: mean ± std over several runs (the std unsigned), the mean of one, a dash for none. */
    String cell(String format) {
      if (Double.isNaN(mean)) {
        return "–";
      }
      return n > 1 ? fmt(format, mean) + " ± " + fmt(unsigned(format), std) : fmt(format, mean);
    }
  }

  /**
   * One method's runs in a scenario.
   *
   * @param runs one row per seed
   * @param ok the runs that did not collapse
   * @param reference RT, the second retrain or the original: the rows every method is read against
   * @param withinFloor a method whose mean Avg Gap is at most the second retrain's
   */
  record MethodRuns(String method, List<JsonNode> runs, List<JsonNode> ok, boolean reference, boolean withinFloor) {
    int collapsedSeeds() {
      return runs.size() - ok.size();
    }

    /** The metric over the runs that did not collapse. */
    Stat stat(String metric) {
      return ScenarioResults.stat(ok, metric);
    }
  }

  private final String name;
  private final List<JsonNode> rows;
  private final Map<String, MethodRuns> methods = new LinkedHashMap<>();
  private final List<Column> columns = new ArrayList<>();

  /** The scenario {@code name} of {@code rows} (all of that scenario). */
  ScenarioResults(String name, List<JsonNode> rows) {
    this.name = name;
    this.rows = List.copyOf(rows);
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
    double floor = byMethod.containsKey(SECOND_RETRAIN)
        ? stat(finished(dedupe(byMethod.get(SECOND_RETRAIN))), "avg_gap").mean() : Double.NaN;
    for (Map.Entry<String, List<JsonNode>> e : byMethod.entrySet()) {
      String method = e.getKey();
      List<JsonNode> runs = dedupe(e.getValue());
      List<JsonNode> ok = finished(runs);
      boolean reference = method.equals(RETRAIN) || method.equals(SECOND_RETRAIN) || method.equals(ORIGINAL);
      boolean within = !reference && !Double.isNaN(floor) && stat(ok, "avg_gap").mean() <= floor;
      methods.put(method, new MethodRuns(method, runs, ok, reference, within));
    }
    for (Column c : COLUMNS) {
      if (!OPTIONAL.contains(c.metric()) || rows.stream().anyMatch(r -> r.path("metrics").has(c.metric()))) {
        columns.add(c);
      }
    }
  }

  /** Every scenario of {@code rows}, in order of first appearance. */
  static List<ScenarioResults> of(List<JsonNode> rows) {
    Map<String, List<JsonNode>> byScenario = new LinkedHashMap<>();
    for (JsonNode r : rows) {
      byScenario.computeIfAbsent(r.get("scenario").asText(), k -> new ArrayList<>()).add(r);
    }
    List<ScenarioResults> out = new ArrayList<>();
    byScenario.forEach((name, list) -> out.add(new ScenarioResults(name, list)));
    return out;
  }

  /**
   * The forget sets served as several deletion requests ({@code bench --requests K}), by their scenario without
   * the request: each request's results in request order.
   */
  static Map<String, List<ScenarioResults>> requestChains(List<JsonNode> rows) {
    Map<String, Map<Integer, List<JsonNode>>> chains = new LinkedHashMap<>();
    for (JsonNode r : rows) {
      if (r.has("requests_of")) {
        chains.computeIfAbsent(r.get("requests_of").asText(), k -> new java.util.TreeMap<>())
            .computeIfAbsent(r.get("request").asInt(), k -> new ArrayList<>()).add(r);
      }
    }
    Map<String, List<ScenarioResults>> out = new LinkedHashMap<>();
    chains.forEach((base, steps) -> {
      List<ScenarioResults> list = new ArrayList<>();
      steps.forEach((request, stepRows) -> list.add(new ScenarioResults(base + " request " + request, stepRows)));
      out.put(base, list);
    });
    return out;
  }

  String name() {
    return name;
  }

  /** The scenario's rows as given. */
  List<JsonNode> rows() {
    return rows;
  }

  /** Every method in display order. */
  List<MethodRuns> methods() {
    return List.copyOf(methods.values());
  }

  /** The method's runs, or null when the scenario has none. */
  MethodRuns method(String method) {
    return methods.get(method);
  }

  /** The metric columns this scenario shows. */
  List<Column> columns() {
    return List.copyOf(columns);
  }

  /** True if a row of this scenario carries the per-example audits. */
  boolean hasStrongAudit() {
    return rows.stream().anyMatch(r -> r.path("metrics").has("ensemble_size"));
  }

  /** The per-example metrics the floor-and-ceiling line under the strong-audit table names. */
  private static final List<String> BOUND_METRICS =
      List.of("klom_forget_p95", "klom_retain_p95", "ulira_accuracy", "forget_quality", "lira_auc_delta", "rmia_auc_delta");

  /**
   * The per-example audits' floor (retrain-2) and ceiling (original) in one sentence, for under their table;
   * empty when the scenario has neither.
   */
  String strongBounds() {
    StringBuilder out = new StringBuilder();
    for (String[] bound : new String[][] {{SECOND_RETRAIN, "Floor (retrain-2: as close as retraining gets)"},
        {ORIGINAL, "ceiling (original: nothing forgotten)"}}) {
      MethodRuns m = methods.get(bound[0]);
      if (m == null || m.ok().isEmpty()) {
        continue;
      }
      out.append(out.length() == 0 ? "" : "; ").append(bound[1]).append(':');
      for (String metric : BOUND_METRICS) {
        Column c = STRONG_COLUMNS.stream().filter(k -> k.metric().equals(metric)).findFirst().orElseThrow();
        out.append(metric.equals(BOUND_METRICS.get(0)) ? " " : ", ").append(c.label()).append(' ')
            .append(m.stat(metric).cell(c.format()));
      }
    }
    if (out.length() > 0) {
      out.append(". A method at the floor is audited like retraining; one at the ceiling has forgotten nothing.");
      out.setCharAt(0, Character.toUpperCase(out.charAt(0)));
    }
    return out.toString();
  }

  /** The noise floor: the second retrain's mean Avg Gap to RT, NaN without a second retrain. */
  double floor() {
    MethodRuns second = methods.get(SECOND_RETRAIN);
    return second == null ? Double.NaN : second.stat("avg_gap").mean();
  }

  /**
   * The flags under the table, method by method: each collapsed seed; then a method whose test accuracy is
   * more than {@link Summary#COLLAPSE_POINTS} below RT's (collapsed whatever its Avg Gap), or one within the
   * noise floor, or one whose Avg Gap is not below the original's by more than the floor.
   */
  List<Flag> flags() {
    double floor = floor();
    double tolerance = Double.isNaN(floor) ? 0 : floor;
    MethodRuns original = methods.get(ORIGINAL);
    double originalGap = original == null ? Double.NaN : original.stat("avg_gap").mean();
    MethodRuns rt = methods.get(RETRAIN);
    double rtTest = rt == null ? Double.NaN : rt.stat("test_acc").mean();
    List<Flag> flags = new ArrayList<>();
    for (MethodRuns m : methods.values()) {
      if (m.reference()) {
        continue;
      }
      for (JsonNode r : m.runs()) {
        if (!isOk(r)) {
          flags.add(new Flag(m.method() + " collapsed", " on seed " + r.get("seed").asLong() + ": "
              + r.path("collapse").path("reason").asText("unknown reason") + "."));
        }
      }
      if (m.ok().isEmpty()) {
        continue;
      }
      double gap = m.stat("avg_gap").mean();
      double test = m.stat("test_acc").mean();
      if (!Double.isNaN(rtTest) && (Double.isNaN(test) || test < rtTest - Summary.COLLAPSE_POINTS)) {
        flags.add(new Flag(m.method() + " collapsed", ": test accuracy " + fmt("%.2f", test) + " vs RT's "
            + fmt("%.2f", rtTest) + "."));
      } else if (m.withinFloor()) {
        flags.add(new Flag(m.method() + " is within the noise floor", ": Avg Gap " + fmt("%.2f", gap)
            + " ≤ retrain-2's " + fmt("%.2f", floor) + "."));
      } else if (!Double.isNaN(originalGap) && !(gap < originalGap - tolerance)) {
        flags.add(new Flag(m.method() + " did not beat doing nothing", ": Avg Gap " + fmt("%.2f", gap)
            + " is not below the original's " + fmt("%.2f", originalGap)
            + (tolerance > 0 ? " by more than the noise floor " + fmt("%.2f", tolerance) : "") + "."));
      }
    }
    return flags;
  }

  /** Whether a row finished (rows without a status are from before statuses existed: finished). */
  static boolean isOk(JsonNode row) {
    return row.path("status").asText("ok").equals("ok");
  }

  private static List<JsonNode> finished(List<JsonNode> runs) {
    return runs.stream().filter(ScenarioResults::isOk).toList();
  }

  private static List<JsonNode> dedupe(List<JsonNode> runs) {
    Map<Long, JsonNode> bySeed = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      bySeed.put(r.get("seed").asLong(), r);
    }
    return new ArrayList<>(bySeed.values());
  }

  /** Mean and sample standard deviation of a metric over runs, ignoring missing and null values. */
  static Stat stat(List<JsonNode> runs, String metric) {
    List<Double> values = new ArrayList<>();
    for (JsonNode r : runs) {
      JsonNode v = r.path("metrics").get(metric);
      if (v != null && v.isNumber()) {
        values.add(v.asDouble());
      }
    }
    return stat(values);
  }

  /** Mean and sample standard deviation of {@code values} (std 0 for one value). */
  static Stat stat(List<Double> values) {
    if (values.isEmpty()) {
      return new Stat(Double.NaN, Double.NaN, 0);
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    return new Stat(StatUtils.mean(v), new StandardDeviation().evaluate(v), v.length);
  }

  /** {@code format} without the {@code +} flag: a spread has no sign (a signed {@code %+.3f} gave "± +0.004"). */
  static String unsigned(String format) {
    return format.replace("+", "");
  }

  static String fmt(String format, double v) {
    return String.format(Locale.ROOT, format, v);
  }
}
