package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

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

  private Summary() {}

  /** The whole summary document for {@code rows}. */
  public static String markdown(List<JsonNode> rows) {
    StringBuilder out = new StringBuilder("# Lethe benchmark summary\n\n");
    out.append(ScenarioResults.LEGEND).append("\n\n");
    for (ScenarioResults s : ScenarioResults.of(rows)) {
      out.append(table(s)).append('\n');
    }
    out.append(requests(rows));
    return out.toString();
  }

  /**
   * For each forget set served as several deletion requests ({@code --requests K}): every method's Avg Gap and TA
   * after each request, against the exact retrain without everything forgotten so far, and what each request cost.
   */
  private static String requests(List<JsonNode> rows) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<ScenarioResults>> chain : ScenarioResults.requestChains(rows).entrySet()) {
      List<ScenarioResults> steps = chain.getValue();
      out.append("## ").append(chain.getKey()).append(" as ").append(steps.size()).append(" deletion requests\n\n")
          .append(REQUESTS_NOTE).append(" (mean ± std over seeds). ").append(COST_NOTE).append(".\n\n");
      for (RequestTable table : REQUEST_TABLES) {
        out.append("| method |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int request = 1; request <= steps.size(); request++) {
          out.append(' ').append(table.header().apply(request)).append(" |");
          rule.append("---|");
        }
        out.append('\n').append(rule).append('\n');
        for (ScenarioResults.MethodRuns m : steps.get(0).methods()) {
          out.append("| ").append(m.method()).append(" |");
          for (ScenarioResults step : steps) {
            out.append(' ').append(table.cell().apply(step, m.method())).append(" |");
          }
          out.append('\n');
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** What the request tables show: each request served on the previous result, audited against its own retrain. */
  static final String REQUESTS_NOTE = "Each request is served on the method's result of the previous one and audited"
      + " against the exact retrain without everything forgotten so far";

  /** What the cost table shows. */
  static final String COST_NOTE = "Cost of a request: the method's seconds serving it and their RTE against that"
      + " request's retrain (RT's own row: its training seconds); SISA adds the (shard, slice) steps it retrained and"
      + " the images they passed over";

  /**
   * One table of the request evolution, one column per request.
   *
   * @param header the column head of request i
   * @param cell a method's cell in one request's results ("–" when it has no row there)
   */
  record RequestTable(IntFunction<String> header, BiFunction<ScenarioResults, String, String> cell) {}

  /** The request tables, in order: Avg Gap and TA after each request, then each request's cost. */
  static final List<RequestTable> REQUEST_TABLES = List.of(
      metricAfter("avg_gap", "Avg Gap", "%.2f"),
      metricAfter("test_acc", "TA", "%.2f"),
      new RequestTable(request -> "cost of request " + request, Summary::costCell));

  private static RequestTable metricAfter(String metric, String label, String format) {
    return new RequestTable(request -> label + " after " + request, (step, method) -> {
      ScenarioResults.MethodRuns runs = step.method(method);
      return runs == null ? "–" : runs.stat(metric).cell(format);
    });
  }

  /**
   * One method's cost of one request: {@code 12.3 s, RTE 0.105} (RT: its seconds alone), and for a method that
   * counts its work {@code , slices 7, images 61200}; "–" when it has no row there.
   */
  static String costCell(ScenarioResults step, String method) {
    ScenarioResults.MethodRuns runs = step.method(method);
    if (runs == null) {
      return "–";
    }
    StringBuilder cell = new StringBuilder(runs.stat("seconds").cell("%.1f")).append(" s");
    if (!method.equals(ScenarioResults.RETRAIN)) {
      cell.append(", RTE ").append(runs.stat("rte").cell("%.3f"));
    }
    if (!Double.isNaN(runs.stat("slices_trained").mean())) {
      cell.append(", slices ").append(runs.stat("slices_trained").cell("%.0f"))
          .append(", images ").append(runs.stat("images_trained").cell("%.0f"));
    }
    return cell.toString();
  }

  /**
   * One scenario's table with its flags. Rows are RT, the second retrain (the noise floor), the original
   * (the do-nothing bar), then every method; collapsed cells are counted apart and left out of the means.
   * Under the table: the noise floor (the second retrain's Avg Gap, KL and JS to RT), and flags for methods
   * that collapsed, that sit within the floor, or that did not beat doing nothing by more than the floor.
   */
  public static String table(String scenario, List<JsonNode> rows) {
    return table(new ScenarioResults(scenario, rows));
  }

  private static String table(ScenarioResults s) {
    StringBuilder out = new StringBuilder("## ").append(s.name()).append("\n\n");
    grid(s, s.columns(), out);
    ScenarioResults.MethodRuns second = s.method(ScenarioResults.SECOND_RETRAIN);
    if (second != null) {
      out.append("\nNoise floor (retrain-2: a second exact retrain, independent initialisation and batch order, "
          + "audited against RT): Avg Gap ").append(second.stat("avg_gap").cell("%.2f"))
          .append(", KL-F ").append(second.stat("kl_to_retrain_forget").cell("%.4f"))
          .append(", JS-F ").append(second.stat("js_to_retrain_forget").cell("%.4f"))
          .append(". A method within it is as close to RT as retraining itself.\n");
    }
    List<ScenarioResults.Flag> flags = s.flags();
    if (!flags.isEmpty()) {
      out.append('\n');
      for (ScenarioResults.Flag f : flags) {
        out.append("- **").append(f.headline()).append("**").append(f.detail()).append('\n');
      }
    }
    if (s.hasStrongAudit()) {
      out.append("\nPer-example audits over the shadow ensemble (each method's unlearned twins vs the shadows' exact "
          + "retrains; floor = retrain-2, a second retrain of every shadow; ceiling = original, the shadows untouched; "
          + "RT's row shows the retrains' own attack values, its deltas 0):\n\n");
      grid(s, ScenarioResults.STRONG_COLUMNS, out);
      String bounds = s.strongBounds();
      if (!bounds.isEmpty()) {
        out.append('\n').append(bounds).append('\n');
      }
    }
    return out.toString();
  }

  /** The table of every method's mean (± std over seeds) in {@code columns}, its seeds and collapses. */
  private static void grid(ScenarioResults s, List<ScenarioResults.Column> columns, StringBuilder out) {
    out.append("| method | seeds |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (ScenarioResults.Column c : columns) {
      out.append(' ').append(c.label()).append(" |");
      rule.append("---|");
    }
    out.append('\n').append(rule).append('\n');
    for (ScenarioResults.MethodRuns m : s.methods()) {
      out.append("| ").append(m.method()).append(m.withinFloor() ? " ≈RT" : "").append(" | ").append(m.ok().size())
          .append(m.collapsedSeeds() > 0 ? " + " + m.collapsedSeeds() + " collapsed" : "").append(" |");
      for (ScenarioResults.Column c : columns) {
        out.append(' ').append(m.stat(c.metric()).cell(c.format())).append(" |");
      }
      out.append('\n');
    }
  }
}
