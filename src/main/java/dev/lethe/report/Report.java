package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.experiment.Json;
import dev.lethe.data.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's HTML report: one self-contained {@code report.html} (inline CSS and SVG charts, nothing
 * fetched) beside {@code results.jsonl}, with per scenario the results table, the trade-off of Avg Gap
 * against run time, every metric against RT and the noise floor, the tuning grids and each row's
 * provenance ({@link HtmlReport}). {@code lethe bench} writes it from the rows of its run at the end of every
 * run; {@code lethe report DIR} writes it from {@code DIR/results.jsonl}. Written through a temporary file
 * and a rename: a failed report leaves the previous one (or none), never half a page.
 */
public final class Report {
  /** The results file of a bench output directory: one JSON row per finished cell. */
  public static final String RESULTS_FILE = "results.jsonl";
  /** The rows file of a tune output directory: one JSON row per grid point and tuning seed. */
  public static final String TUNING_FILE = "tuning.jsonl";
  /** The report's file name inside the results directory. */
  public static final String FILE = "report.html";

  /**
   * Where the tuning section looks.
   *
   * @param recipes the recipes directory the benchmark read (null: {@code --recipes none})
   * @param tuning the {@code --out} directory of {@code lethe tune}, holding {@code tuning.jsonl} (null: none)
   */
  public record Sources(Path recipes, Path tuning) {}

  private Report() {}

  /**
   * Writes {@code dir/report.html} from {@code rows} (a benchmark run's rows, one configuration) and returns
   * its path.
   */
  public static Path write(Path dir, List<JsonNode> rows, Sources sources) {
    if (rows.isEmpty()) {
      throw new LetheException("no result rows to report on in " + dir + ": run `lethe bench --out " + dir + "` first");
    }
    Tuning tuning = Tuning.load(sources.recipes(), sources.tuning() == null ? null : sources.tuning().resolve(Report.TUNING_FILE));
    String subtitle = dir.toAbsolutePath().normalize() + " · " + ScenarioResults.of(rows).size() + " scenario(s), "
        + rows.size() + " result rows · written " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
        + " · rewrite it with `lethe report " + dir + "`";
    String html = HtmlReport.render("Lethe benchmark report", subtitle, rows, tuning, dir);
    Path file = dir.resolve(FILE);
    AtomicFiles.write(file, html.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /**
   * Writes {@code dir/report.html} from {@code dir/results.jsonl}. A directory without results, a line that
   * is not a result row (a truncated line) and rows of more than one configuration are one-line errors,
   * raised before anything is written.
   */
  public static Path fromDirectory(Path dir, Sources sources) {
    Path results = dir.resolve(Report.RESULTS_FILE);
    if (!Files.isDirectory(dir)) {
      throw new LetheException(dir + " is not a directory: pass the --out directory of a `lethe bench` run");
    }
    if (!Files.isRegularFile(results)) {
      throw new LetheException("no " + Report.RESULTS_FILE + " in " + dir + ": pass the --out directory of a `lethe bench` run,"
          + " or run `lethe bench --out " + dir + "` first");
    }
    List<JsonNode> rows = Json.readRows(results, "restore the file or delete that line");
    if (rows.isEmpty()) {
      throw new LetheException(results + " holds no result rows: run `lethe bench --out " + dir + "` first");
    }
    checkOneConfiguration(results, rows);
    return write(dir, rows, sources);
  }

  /**
   * Refuses rows of several configurations, which no table can average: every row must share the experiment
   * (data, split, architecture, training recipe, threads, training code: the experiment part of its cell),
   * and every row of one method in one scenario its options. Bench keeps such stale rows in slots its latest
   * grid did not cover; its own report shows only the rows of its run.
   */
  static void checkOneConfiguration(Path file, List<JsonNode> rows) {
    JsonNode first = rows.get(0);
    Map<String, JsonNode> paramsOf = new LinkedHashMap<>();
    for (JsonNode r : rows) {
      List<String> diffs = Json.differences(experiment(first), experiment(r));
      String method = r.get("method").asText();
      // the two retrains' options are the experiment's training recipe (and, for the second, a seed drawn
      // from the row's seed), compared above
      boolean retrain = method.equals(ScenarioResults.RETRAIN) || method.equals(ScenarioResults.SECOND_RETRAIN);
      JsonNode sameMethod = retrain ? null : paramsOf.putIfAbsent(r.get("scenario").asText() + " " + method, r);
      if (diffs.isEmpty() && sameMethod != null) {
        diffs = Json.differences(sameMethod.path("params"), r.path("params"));
        if (!diffs.isEmpty()) {
          throw mixed(file, sameMethod, r, diffs.stream().map(d -> "params." + d).toList());
        }
      } else if (!diffs.isEmpty()) {
        throw mixed(file, first, r, diffs);
      }
    }
  }

  private static JsonNode experiment(JsonNode row) {
    return row.has("cell") ? row.get("cell").path("experiment") : row.path("config");
  }

  private static LetheException mixed(Path file, JsonNode a, JsonNode b, List<String> diffs) {
    String shown = String.join(", ", diffs.subList(0, Math.min(2, diffs.size())))
        + (diffs.size() > 2 ? " and " + (diffs.size() - 2) + " more" : "");
    return new LetheException(file + " mixes configurations: " + describe(a) + " and " + describe(b) + " differ in "
        + shown + "; a report shows one configuration: move the stale rows out of the file (each `lethe bench` run"
        + " writes report.html from its own rows)");
  }

  private static String describe(JsonNode row) {
    return row.get("method").asText() + " seed " + row.get("seed").asLong() + " of " + row.get("scenario").asText();
  }
}
