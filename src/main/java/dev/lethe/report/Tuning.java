package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.experiment.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tuning evidence behind a scenario's methods: which recipe each ran with (recorded in its result rows),
 * that recipe's grid and winner (from the recipes directory), and every grid point's validation scores (from
 * the {@code tuning.jsonl} that {@code lethe tune} writes to its {@code --out}). Either source may be missing;
 * what is missing is said, not skipped.
 */
final class Tuning {
  /** A grid point: its axis values, its validation Avg Gap over the tuning seeds, and whether it was selected. */
  record Point(Map<String, String> values, ScenarioResults.Stat gap, ScenarioResults.Stat forget,
      ScenarioResults.Stat heldOut, int seeds, int collapsedSeeds, boolean selected) {}

  /**
   * One method's grid in one scenario.
   *
   * @param recipe the recipe file the method ran with
   * @param tunedFor the forget spec that recipe was tuned for
   * @param axes the grid's axes in order, each with the values tried
   * @param points every grid point measured in {@code tuning.jsonl}, in grid order (empty without it)
   * @param winner the recipe's winning point (empty when the recipe was not found)
   * @param winnerGap the recipe's record of the winner's mean validation Avg Gap (NaN when not found)
   * @param notes what a reader needs to know about this grid (missing sources, overrides)
   */
  record Grid(String method, String recipe, String tunedFor, Map<String, List<String>> axes, List<Point> points,
      Map<String, String> winner, double winnerGap, List<String> notes) {}

  /**
   * A scenario's tuning section.
   *
   * @param grids the tuned methods' grids
   * @param untuned the methods that ran with bare defaults (no recipe entry)
   * @param notes what a reader needs to know about the sources
   */
  record Section(List<Grid> grids, List<String> untuned, List<String> notes) {}

  private final Path recipes;
  private final Path tuningFile;
  private final List<JsonNode> tuningRows;

  private Tuning(Path recipes, Path tuningFile, List<JsonNode> tuningRows) {
    this.recipes = recipes;
    this.tuningFile = tuningFile;
    this.tuningRows = tuningRows;
  }

  /**
   * The evidence in {@code recipes} (null: none) and {@code tuningFile} (null or missing: none); a tuning
   * file that exists but is malformed is a one-line error.
   */
  static Tuning load(Path recipes, Path tuningFile) {
    List<JsonNode> rows = List.of();
    if (tuningFile != null && Files.isRegularFile(tuningFile)) {
      rows = Json.readRows(tuningFile, "fix or move it away, or pass another --tuning");
    }
    return new Tuning(recipes, tuningFile, rows);
  }

  /** The tuning section of {@code scenario}. */
  Section section(ScenarioResults scenario) {
    List<Grid> grids = new ArrayList<>();
    List<String> untuned = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (ScenarioResults.MethodRuns m : scenario.methods()) {
      if (m.method().equals(ScenarioResults.RETRAIN) || m.method().equals(ScenarioResults.SECOND_RETRAIN)) {
        continue;
      }
      JsonNode row = m.runs().get(0);
      String recipe = row.path("provenance").path("recipe").asText(null);
      if (recipe == null) {
        untuned.add(m.method());
        continue;
      }
      grids.add(grid(row, recipe));
    }
    boolean noTuningFile = tuningFile == null || !Files.isRegularFile(tuningFile);
    String where = tuningFile == null ? "" : " at " + tuningFile;
    if (grids.isEmpty()) {
      notes.add("No tuning data: every method ran with its bare defaults ("
          + (recipes == null ? "--recipes none" : "no recipe in " + recipes + " fits this dataset, model and setup")
          + ")" + (noTuningFile ? ", and there is no tuning.jsonl" + where : "")
          + ". `lethe tune` writes both: recipes, and every grid point's scores to tuning.jsonl in its --out.");
      untuned.clear();
    } else if (noTuningFile) {
      notes.add("No tuning.jsonl" + where + ": the scores of every grid point live in the tuning.jsonl that"
          + " `lethe tune` writes to its --out (default lethe-tune/); pass `lethe report --tuning DIR` to show them.");
    }
    return new Section(grids, untuned, notes);
  }

  private Grid grid(JsonNode row, String recipeFile) {
    String method = row.get("method").asText();
    String tunedFor = row.path("provenance").path("recipe_tuned_for").asText("?");
    List<String> notes = new ArrayList<>();
    JsonNode recipe = readRecipe(recipeFile);
    Map<String, List<String>> axes = new LinkedHashMap<>();
    Map<String, String> winner = new LinkedHashMap<>();
    double winnerGap = Double.NaN;
    if (recipe == null) {
      notes.add("The recipe " + recipeFile + " is not in " + (recipes == null ? "any --recipes directory" : recipes)
          + ": pass `lethe report --recipes DIR` to show its grid and winner.");
    } else {
      recipe.path("grids").path(method).fields().forEachRemaining(e -> {
        List<String> values = new ArrayList<>();
        e.getValue().forEach(v -> values.add(v.asText()));
        axes.put(e.getKey(), values);
      });
      JsonNode w = recipe.path("winners").path(method);
      w.path("params").fields().forEachRemaining(e -> winner.put(e.getKey(), e.getValue().asText()));
      winnerGap = Json.number(w.path("metrics"), "avg_gap");
    }
    String scenario = row.path("dataset").asText() + "/" + row.path("model").asText() + "/" + tunedFor;
    Map<String, List<JsonNode>> byPoint = new LinkedHashMap<>();
    JsonNode setup = setup(row);
    for (JsonNode t : tuningRows) {
      if (t.get("method").asText().equals(method) && t.get("scenario").asText().equals(scenario)
          && t.has("grid_point") && Json.canonicalText(setup(t)).equals(Json.canonicalText(setup))) {
        byPoint.computeIfAbsent(Json.canonicalText(t.get("grid_point")), k -> new ArrayList<>()).add(t);
      }
    }
    String ranWith = Json.canonicalText(row.path("params"));
    List<Point> points = new ArrayList<>();
    boolean ranAPoint = false;
    for (List<JsonNode> rows : byPoint.values()) {
      Map<String, String> values = new LinkedHashMap<>();
      rows.get(0).get("grid_point").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
      Map<Long, JsonNode> bySeed = new LinkedHashMap<>();
      rows.forEach(r -> bySeed.put(r.get("seed").asLong(), r));
      List<JsonNode> ok = bySeed.values().stream().filter(ScenarioResults::isOk).toList();
      boolean ran = bySeed.values().stream().anyMatch(r -> Json.canonicalText(r.path("params")).equals(ranWith));
      ranAPoint |= ran;
      boolean selected = recipe != null ? values.equals(winner) : ran;
      points.add(new Point(values, ScenarioResults.stat(ok, "avg_gap"), ScenarioResults.stat(ok, "forget_acc"),
          ScenarioResults.stat(ok, "test_acc"), bySeed.size(), bySeed.size() - ok.size(), selected));
    }
    if (!points.isEmpty() && !ranAPoint) {
      notes.add("The benchmark ran " + method + " with parameters that match no grid point here (a --param"
          + " override, or a recipe retuned since this run).");
    }
    if (points.isEmpty() && !tuningRows.isEmpty()) {
      notes.add(tuningFile + " has no rows of " + method + " on " + scenario + " for this setup.");
    }
    return new Grid(method, recipeFile, tunedFor, axes, points, winner, winnerGap, notes);
  }

  /**
   * What a tuning row shares with the benchmark rows whose recipe it produced: the dataset, architecture,
   * split and training recipe (the recipe's setup) and the pool and validation data; not the test split,
   * which tuning never reads, nor the thread count.
   */
  private static JsonNode setup(JsonNode row) {
    JsonNode e = row.path("cell").path("experiment");
    ObjectNode s = Json.MAPPER.createObjectNode();
    for (String field : List.of("dataset", "spec", "split", "training", "pool", "validation")) {
      s.set(field, e.path(field));
    }
    return s;
  }

  private JsonNode readRecipe(String file) {
    if (recipes == null) {
      return null;
    }
    Path path = recipes.resolve(file);
    if (!Files.isRegularFile(path)) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(path.toFile());
    } catch (IOException e) {
      throw new LetheException("recipe " + path + " is not valid JSON: fix or delete it, or pass another --recipes");
    }
  }
}
