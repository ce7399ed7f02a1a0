package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.report.Summary;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.Retrain;
import dev.lethe.unlearn.Unlearner;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grid search per method against RT, so that no method wins by its defaults (the protocol of the OPTML
 * group: smallest Avg Gap to retraining, Unlearn-WorstCase issue #4). Every configuration of every grid is
 * unlearned and audited on one or more tuning seeds that must not be evaluation seeds; every row goes to
 * {@code tuning.jsonl} (resumable, like the benchmark), and each method's winner — the configuration that
 * collapsed on the fewest tuning seeds, then the smallest mean Avg Gap — goes to the scenario's recipe file.
 */
public final class Tuner {
  /** Results file name inside the output directory. */
  public static final String RESULTS = "tuning.jsonl";

  private final BenchConfig config;
  private final List<Long> seeds;
  private final Map<String, Map<String, List<String>>> grids;
  private final Map<String, List<Map<String, String>>> points;
  private final MethodRegistry registry;

  /**
   * A tuner over {@code config} (its seeds are the tuning seeds; its methods are tuned) with
   * {@code gridArgs} such as {@code sfr-on.forgetAlpha=10,25,50}. Everything is validated here, before
   * any training: unknown methods or keys, empty grids, and more than {@code maxConfigs} configurations
   * unless {@code force}.
   */
  public Tuner(BenchConfig config, List<String> gridArgs, int maxConfigs, boolean force) {
    this.config = config;
    this.seeds = config.seeds();
    this.registry = new MethodRegistry(config.training());
    this.grids = parseGrids(gridArgs);
    this.points = new LinkedHashMap<>();
    int total = 0;
    for (String method : config.methods()) {
      if (method.equals(Retrain.ID)) {
        continue;
      }
      List<Map<String, String>> list = expand(grids.getOrDefault(method, Map.of()));
      for (Map<String, String> p : list) {
        registry.get(method).create(p);
      }
      points.put(method, list);
      total += list.size();
    }
    for (String method : grids.keySet()) {
      if (!points.containsKey(method)) {
        throw new LetheException("--grid names " + method + ", which is not among --methods: add it or drop the grid");
      }
    }
    total *= config.forgets().size() * seeds.size();
    if (total > maxConfigs && !force) {
      throw new LetheException("the grid has " + total + " configurations, more than --max-configs "
          + maxConfigs + ": shrink it, raise --max-configs, or pass --force");
    }
  }

  /** Runs every configuration not yet in {@code tuning.jsonl}, writes the recipes, returns all rows. */
  public List<JsonNode> run() {
    if (config.recipes() == null) {
      throw new LetheException("tuning writes recipes: pass a --recipes directory");
    }
    try {
      Files.createDirectories(config.out());
    } catch (IOException e) {
      throw new LetheException("cannot create output directory " + config.out() + ": " + e.getMessage());
    }
    ResultLog log = ResultLog.open(config.out().resolve(RESULTS));
    Experiment experiment = new Experiment(config.dataset(), config.dataDir(), config.model(), config.width(),
        config.split(), config.training(), new ArtifactStore(config.store()));
    List<ForgetSpec> specs = new ArrayList<>();
    for (String f : config.forgets()) {
      specs.add(ForgetSpec.parse(f));
      for (long seed : seeds) {
        experiment.task(specs.get(specs.size() - 1), seed);
      }
    }
    Progress progress = Progress.stderr("tune seeds " + seeds);
    Map<Long, Network> originals = new LinkedHashMap<>();
    try {
      for (long seed : seeds) {
        originals.put(seed, experiment.original(seed, progress.child("original " + seed)).network());
      }
      for (ForgetSpec spec : specs) {
        tuneScenario(experiment, spec, originals, log, progress);
      }
    } finally {
      originals.values().forEach(Network::close);
    }
    Json.writeAtomically(config.out().resolve("tuning-summary.md"), Summary.markdown(labelledByGridPoint(log.rows())));
    return log.rows();
  }

  /**
   * The rows with each tuned method's name followed by its grid point ({@code ga lr=1e-5}), so the tuning
   * summary gives every configuration its own line instead of pooling them as seeds of one method.
   */
  static List<JsonNode> labelledByGridPoint(List<JsonNode> rows) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode row : rows) {
      JsonNode point = row.path("grid_point");
      if (point.isEmpty()) {
        out.add(row);
        continue;
      }
      StringBuilder label = new StringBuilder(row.get("method").asText());
      point.fields().forEachRemaining(
          f -> label.append(' ').append(f.getKey()).append('=').append(f.getValue().asText()));
      ObjectNode copy = row.deepCopy();
      copy.put("method", label.toString());
      out.add(copy);
    }
    return out;
  }

  private void tuneScenario(
      Experiment experiment, ForgetSpec spec, Map<Long, Network> originals, ResultLog log, Progress progress) {
    String scenario = config.scenario(spec.text());
    Map<Long, ScenarioRun> runs = new LinkedHashMap<>();
    for (long seed : seeds) {
      ForgetTask task = experiment.task(spec, seed);
      ScenarioRun run = new ScenarioRun(experiment, task, originals.get(seed), seed, progress);
      runs.put(seed, run);
      JsonNode rtParams = Json.MAPPER.valueToTree(OptionsBinder.values(experiment.training()));
      if (log.get(Rows.key(Rows.cell(experiment, task, Retrain.ID, rtParams, seed))) == null) {
        log.append(Rows.of(config.dataset(), config.model(), scenario, experiment, task, Retrain.ID,
            experiment.training(), seed, run.retrainMetrics(), run.retrainReused(), null));
      }
    }
    ObjectNode winners = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, List<Map<String, String>>> e : points.entrySet()) {
      String method = e.getKey();
      if (!registry.get(method).supports(spec)) {
        progress.note(method + " does not unlearn " + spec.text() + ": not tuned there");
        continue;
      }
      Candidate best = null;
      for (Map<String, String> point : e.getValue()) {
        Unlearner unlearner = registry.get(method).create(point);
        JsonNode params = Json.MAPPER.valueToTree(OptionsBinder.values(unlearner.options()));
        List<JsonNode> rows = new ArrayList<>();
        for (Map.Entry<Long, ScenarioRun> run : runs.entrySet()) {
          long seed = run.getKey();
          JsonNode row = log.get(Rows.key(Rows.cell(experiment, run.getValue().task(), method, params, seed)));
          if (row == null) {
            progress.note("tuning " + method + " " + point + " on seed " + seed);
            ScenarioRun.Evaluation evaluation = run.getValue().evaluate(unlearner, seed, progress);
            ObjectNode fresh = Rows.of(config.dataset(), config.model(), scenario, experiment,
                run.getValue().task(), method, unlearner.options(), seed, evaluation.metrics(), false, null);
            if (evaluation.collapsed()) {
              Rows.collapsed(fresh, evaluation.collapseStep(), evaluation.collapseReason());
            }
            fresh.set("grid_point", Json.MAPPER.valueToTree(point));
            log.append(fresh);
            row = fresh;
          }
          rows.add(row);
        }
        Candidate c = Candidate.of(point, rows, runs);
        if (c.beats(best)) {
          best = c;
        }
      }
      ObjectNode w = best.toJson();
      w.set("tuning_seeds", Json.MAPPER.valueToTree(seeds));
      winners.set(method, w);
    }
    writeRecipe(spec, winners);
  }

  /**
   * One grid point measured on every tuning seed: its mean metrics, and whether it collapsed on any seed
   * (worst case, so a configuration that only works on a lucky seed does not win).
   */
  private record Candidate(Map<String, String> point, ObjectNode meanMetrics, List<Double> gaps, int collapsedSeeds) {
    static Candidate of(Map<String, String> point, List<JsonNode> rows, Map<Long, ScenarioRun> runs) {
      ObjectNode mean = Json.MAPPER.createObjectNode();
      List<Double> gaps = new ArrayList<>();
      int collapsed = 0;
      java.util.Iterator<ScenarioRun> run = runs.values().iterator();
      Map<String, Double> sums = new LinkedHashMap<>();
      for (JsonNode row : rows) {
        double rtTest = run.next().retrainMetrics().get("test_acc");
        collapsed += Rows.isCollapsed(row) || collapsed(row, rtTest) ? 1 : 0;
        gaps.add(Json.number(row.get("metrics"), "avg_gap"));
        row.get("metrics").fields().forEachRemaining(
            f -> sums.merge(f.getKey(), f.getValue().isNumber() ? f.getValue().asDouble() : Double.NaN, Double::sum));
      }
      sums.forEach((k, v) -> {
        double m = v / rows.size();
        if (Double.isFinite(m)) {
          mean.put(k, m);
        } else {
          mean.putNull(k);
        }
      });
      return new Candidate(point, mean, gaps, collapsed);
    }

    /** Fewer collapsed seeds win; then the lower mean Avg Gap. */
    boolean beats(Candidate other) {
      if (other == null) {
        return true;
      }
      if (collapsedSeeds != other.collapsedSeeds) {
        return collapsedSeeds < other.collapsedSeeds;
      }
      double gap = Json.number(meanMetrics, "avg_gap");
      double otherGap = Json.number(other.meanMetrics, "avg_gap");
      return !Double.isNaN(gap) && (Double.isNaN(otherGap) || gap < otherGap);
    }

    ObjectNode toJson() {
      ObjectNode w = Json.MAPPER.createObjectNode();
      w.set("params", Json.MAPPER.valueToTree(point));
      w.set("metrics", meanMetrics);
      w.set("avg_gap_per_seed", Json.MAPPER.valueToTree(gaps));
      w.put("collapsed", collapsedSeeds > 0);
      w.put("collapsed_seeds", collapsedSeeds);
      return w;
    }
  }

  private static boolean collapsed(JsonNode row, double rtTest) {
    double test = Json.number(row.get("metrics"), "test_acc");
    return Double.isNaN(test) || test < rtTest - Summary.COLLAPSE_POINTS;
  }

  private void writeRecipe(ForgetSpec spec, ObjectNode winners) {
    java.nio.file.Path file = Recipe.fileFor(config.recipes(), config.dataset(), config.model(), spec.text());
    ObjectNode recipe = Json.MAPPER.createObjectNode();
    JsonNode setup = Recipe.setup(config);
    if (Recipe.find(config.recipes(), config.dataset(), config.model(), setup, spec.text()) != null) {
      try {
        recipe = (ObjectNode) Json.MAPPER.readTree(file.toFile());
      } catch (IOException e) {
        throw new LetheException("recipe " + file + " is not valid JSON: fix or delete it");
      }
    }
    recipe.put("dataset", config.dataset());
    recipe.put("model", config.model());
    recipe.put("forget", spec.text());
    recipe.set("setup", setup);
    java.util.TreeSet<Long> allSeeds = new java.util.TreeSet<>(seeds);
    recipe.path("tuning_seeds").forEach(x -> allSeeds.add(x.asLong()));
    if (recipe.has("tuning_seed")) {
      allSeeds.add(recipe.get("tuning_seed").asLong());
    }
    recipe.remove("tuning_seed");
    recipe.set("tuning_seeds", Json.MAPPER.valueToTree(allSeeds));
    recipe.put("selection", "fewest tuning seeds on which test_acc fell more than " + Summary.COLLAPSE_POINTS
        + " points below RT's, then the smallest mean avg_gap to RT over the tuning seeds");
    ObjectNode g = recipe.has("grids") ? (ObjectNode) recipe.get("grids") : recipe.putObject("grids");
    ObjectNode w = recipe.has("winners") ? (ObjectNode) recipe.get("winners") : recipe.putObject("winners");
    for (String method : points.keySet()) {
      if (winners.has(method)) {
        g.set(method, Json.MAPPER.valueToTree(grids.getOrDefault(method, Map.of())));
        w.set(method, winners.get(method));
      }
    }
    recipe.set("versions", Provenance.versions(Json.MAPPER));
    Recipe.write(file, recipe);
  }

  private Map<String, Map<String, List<String>>> parseGrids(List<String> args) {
    Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      int dot = eq < 0 ? -1 : arg.lastIndexOf('.', eq);
      if (eq < 0 || dot <= 0 || dot == eq - 1) {
        throw new LetheException("malformed --grid '" + arg + "': write method.key=v1,v2,..., e.g. ga.lr=1e-4,3e-4");
      }
      String method = arg.substring(0, dot);
      registry.get(method);
      List<String> values = new ArrayList<>();
      for (String v : arg.substring(eq + 1).split(",", -1)) {
        if (v.isBlank()) {
          throw new LetheException("--grid " + arg + " has an empty value: list at least one, e.g. " + method + ".lr=0.01");
        }
        values.add(v.trim());
      }
      out.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(arg.substring(dot + 1, eq), values);
    }
    return out;
  }

  /** The cartesian product of a method's grid (one empty point when it has none). */
  static List<Map<String, String>> expand(Map<String, List<String>> grid) {
    List<Map<String, String>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> axis : grid.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : out) {
        for (String v : axis.getValue()) {
          Map<String, String> p = new LinkedHashMap<>(partial);
          p.put(axis.getKey(), v);
          next.add(p);
        }
      }
      out = next;
    }
    return out;
  }
}
