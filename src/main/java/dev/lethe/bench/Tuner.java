package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.Provenance;
import dev.lethe.report.Report;
import dev.lethe.report.Summary;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.method.Original;
import dev.lethe.unlearn.method.Retrain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * Grid search per method against RT, so that no method wins by its defaults (the protocol of the OPTML
 * group: smallest Avg Gap to retraining, Unlearn-WorstCase issue #4). Selection never sees the test split:
 * every configuration of every grid is unlearned on one or more tuning seeds (which must not be evaluation
 * seeds) and audited on {@link ForgetTask#heldOutAsValidation()}, so TA, the membership attacks'
 * non-members, KL/JS on held-out data, the class task's held-out images and the collapse check all read the
 * validation split. Every row goes to {@code tuning.jsonl} (resumable, like the benchmark; marked
 * {@code "held_out": "validation"}, and its {@code test_acc} is the validation accuracy), and each method's
 * winner goes to the scenario's recipe file, with {@code "selected_on": "validation"} and the tuning seeds.
 *
 * <p>The winner ({@link #select}) is chosen over the method's grid points by, in order:
 *
 * <ol>
 *   <li>the fewest collapsed tuning seeds, so a point that collapses on any seed loses to one that collapses
 *       on none; a point collapses on a seed when its outputs are non-finite or its validation accuracy is
 *       more than {@link Summary#COLLAPSE_POINTS} points below RT's on that seed;
 *   <li>the smallest score: mean Avg Gap over the tuning seeds plus their sample standard deviation (0 on one
 *       seed), plus {@link #NEIGHBOUR_PENALTY} when a grid neighbour collapses on any tuning seed; a neighbour
 *       differs in exactly one axis by one step of that axis (numeric axes ordered by value, others in the
 *       order given), so a point next to a cliff must beat a safe one by more than the penalty;
 *   <li>grid order (the earlier point).
 * </ol>
 *
 * A winner on the smallest or largest value of a numeric axis with at least two values is on the grid's
 * edge: its recipe entry lists those axes under {@code "edge"} and a note says to extend the grid past it.
 *
 * <p>Each winner is also compared with doing nothing on the same tuning seeds ({@link DoNothing}): its recipe entry
 * records {@code do_nothing_avg_gap} and {@code beats_do_nothing}, and a winner that does not beat it is installed
 * anyway (the rule above does not change) with one line on stderr saying so.
 */
public final class Tuner {
  /** Results file name inside the output directory. */
  public static final String RESULTS = Report.TUNING_FILE;

  /**
   * The score penalty (Avg Gap points) of a point with a collapsing grid neighbour: about one seed's standard
   * deviation of a tuned method's Avg Gap on the default random:0.1 scenario (0.3 to 1.1, BENCHMARKS.md).
   */
  public static final double NEIGHBOUR_PENALTY = 1.0;

  /** The selection rule as written into every recipe. */
  static final String SELECTION = "fewest tuning seeds collapsed (non-finite outputs, or validation accuracy more than "
      + Summary.COLLAPSE_POINTS + " points below RT's); then the smallest mean + sample std of avg_gap to RT over the"
      + " tuning seeds, plus " + NEIGHBOUR_PENALTY + " if a grid neighbour (one axis, one step; numeric axes by value)"
      + " collapsed on any tuning seed; then grid order. All metrics on the validation split, never the test split";

  /** The do-nothing comparison ({@link DoNothing}) as written into every recipe. */
  static final String DO_NOTHING_RULE = "beats_do_nothing is true iff the winner's mean avg_gap over its tuning seeds"
      + " is below do_nothing_avg_gap (the mean avg_gap of the do-nothing rows, method original, on the same seeds) by"
      + " more than those rows' sample std (0 on one seed: strictly below). On the validation split; the selection"
      + " rule does not use it";

  /** The value of {@code held_out} in tuning rows: the split in the test split's role. */
  static final String HELD_OUT = "validation";

  private final BenchConfig config;
  private final List<Long> seeds;
  private final List<String> gridArgs;
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
    this.registry = new MethodRegistry(config.training(), config.store());
    this.gridArgs = List.copyOf(gridArgs);
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
    return run(config.cellExecutor().cellsOf(new Experiment(config.dataset(), config.dataDir(), config.model(),
        config.width(), config.split(), config.training(), new ArtifactStore(config.store()))));
  }

  /** {@link #run()} on {@code experiment}, which must describe {@code config}'s data, split, model and training. */
  List<JsonNode> run(Experiment experiment) {
    if (config.recipes() == null) {
      throw new LetheException("tuning writes recipes: pass a --recipes directory");
    }
    try (OutputLock lock = OutputLock.acquire(config.out())) {
      return tune(experiment);
    }
  }

  private List<JsonNode> tune(Experiment experiment) {
    ResultLog log = ResultLog.open(config.out().resolve(RESULTS));
    JsonNode stale = log.find(r -> !HELD_OUT.equals(r.path("held_out").asText()));
    if (stale != null) {
      throw new LetheException(config.out().resolve(RESULTS) + " holds rows audited on the test split (written before"
          + " tuning moved to the validation split): move it away or pass another --out");
    }
    List<ForgetSpec> specs = new ArrayList<>();
    for (String f : config.forgets()) {
      specs.add(ForgetSpec.parse(f));
      if (specs.get(specs.size() - 1) instanceof ForgetSpec.Poison poison) {
        throw new LetheException("lethe tune selects recipes on random: and class: requests; " + poison.text()
            + " (a poisoned batch) runs with the random recipe of the nearest fraction: tune random:FRACTION instead");
      }
      for (long seed : seeds) {
        if (specs.get(specs.size() - 1) instanceof ForgetSpec.WorstCase worst) {
          config.cellExecutor().search(experiment, worst, seed); // with the original of the cells' threads
        }
        ForgetTask task = experiment.task(specs.get(specs.size() - 1), seed).heldOutAsValidation();
        if (task.test().size() == 0) {
          throw new LetheException("tuning selects on the validation split, which has no image outside the forgotten"
              + " classes here (" + experiment.splits().validation().size() + " images): pass a larger --val-size");
        }
      }
    }
    Progress progress = Progress.stderr("tune seeds " + seeds);
    for (ForgetSpec spec : specs) {
      tuneScenario(experiment, spec, log, progress);
    }
    Json.writeAtomically(config.out().resolve("tuning-summary.md"),
        "TA, MIA-eff, MIA-ent, KL-T and the class columns of these tuning rows are measured on the validation split,"
            + " which tuning uses in the test split's role.\n\n" + Summary.markdown(labelledByGridPoint(log.rows())));
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

  private void tuneScenario(Experiment experiment, ForgetSpec spec, ResultLog log, Progress progress) {
    List<TuningJob.Cell> cells;
    try (TuningJob job = new TuningJob(this, experiment, spec, key -> log.get(key) != null)) {
      if (!job.lines().isEmpty()) {
        config.cellExecutor().tune(job, log::append);
      }
      cells = job.cells();
    }
    Map<Long, Double> rtHeldOut = new LinkedHashMap<>();
    List<JsonNode> doNothingRows = new ArrayList<>();
    // method -> its grid points in grid order -> their rows in seed order
    Map<String, Map<Map<String, String>, List<JsonNode>>> rows = new LinkedHashMap<>();
    for (TuningJob.Cell c : cells) {
      JsonNode row = log.get(c.key());
      if (c.method().equals(Retrain.ID)) {
        rtHeldOut.put(c.seed(), row.get("metrics").get("test_acc").asDouble());
      } else if (c.method().equals(Original.ID)) {
        doNothingRows.add(row);
      } else if (c.tuned()) {
        rows.computeIfAbsent(c.method(), m -> new LinkedHashMap<>())
            .computeIfAbsent(c.point(), p -> new ArrayList<>()).add(row);
      }
    }
    List<Double> rtAcc = seeds.stream().map(rtHeldOut::get).toList();
    DoNothing doNothing = DoNothing.of(doNothingRows);
    ObjectNode winners = Json.MAPPER.createObjectNode();
    for (String method : points.keySet()) {
      if (!rows.containsKey(method)) {
        progress.note(method + " does not unlearn " + spec.text() + ": not tuned there");
        continue;
      }
      List<Candidate> candidates = new ArrayList<>();
      rows.get(method).forEach((point, seedRows) -> candidates.add(Candidate.of(point, seedRows, rtAcc)));
      Map<String, List<String>> grid = grids.getOrDefault(method, Map.of());
      Choice choice = select(grid, candidates);
      if (!choice.edge().isEmpty()) {
        List<String> where = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        for (String axis : choice.edge()) {
          String value = choice.winner().point().get(axis);
          where.add(axis + "=" + value + " (the " + (Double.parseDouble(value)
              == Double.parseDouble(sortedAxis(grid.get(axis)).get(0)) ? "smallest" : "largest") + " tried)");
          flags.add("--grid " + method + "." + axis);
        }
        progress.note(method + "'s winner on " + spec.text() + " sits on the grid's edge at " + String.join(", ", where)
            + ": extend " + String.join(" and ", flags) + " past it");
      }
      ObjectNode w = choice.toJson();
      w.set("tuning_seeds", Json.MAPPER.valueToTree(seeds));
      if (doNothing != null) {
        doNothing.judge(method, spec.text(), choice.winner(), w);
      }
      winners.set(method, w);
    }
    writeRecipe(spec, winners, progress);
  }

  /** The grid these cells belong to (its seeds are the tuning seeds). */
  BenchConfig config() {
    return config;
  }

  MethodRegistry registry() {
    return registry;
  }

  /** The {@code --grid} axes as given. */
  List<String> gridArgs() {
    return gridArgs;
  }

  /** Every tuned method's grid points, in grid order ({@link #expand}). */
  Map<String, List<Map<String, String>>> points() {
    return points;
  }

  /**
   * One grid point measured on every tuning seed: its mean metrics, its Avg Gap per seed, and on how many
   * seeds it collapsed.
   */
  record Candidate(Map<String, String> point, ObjectNode meanMetrics, List<Double> gaps, int collapsedSeeds) {
    /** The point's candidate from its rows, one per tuning seed, and RT's held-out accuracy on each seed. */
    static Candidate of(Map<String, String> point, List<JsonNode> rows, List<Double> rtHeldOutAcc) {
      ObjectNode mean = Json.MAPPER.createObjectNode();
      List<Double> gaps = new ArrayList<>();
      int collapsed = 0;
      Map<String, Double> sums = new LinkedHashMap<>();
      for (int i = 0; i < rows.size(); i++) {
        JsonNode metrics = rows.get(i).get("metrics");
        collapsed += Rows.isCollapsed(rows.get(i)) || collapsed(metrics, rtHeldOutAcc.get(i)) ? 1 : 0;
        gaps.add(Json.number(metrics, "avg_gap"));
        metrics.fields().forEachRemaining(
            f -> sums.merge(f.getKey(), f.getValue().isNumber() ? f.getValue().asDouble() : Double.NaN, Double::sum));
      }
      Map<String, Integer> counts = new LinkedHashMap<>();
      rows.forEach(r -> r.get("metrics").fieldNames().forEachRemaining(k -> counts.merge(k, 1, Integer::sum)));
      sums.forEach((k, v) -> {
        // a metric missing on a seed (a diverged run has none) has no mean
        double m = counts.get(k) == rows.size() ? v / rows.size() : Double.NaN;
        if (Double.isFinite(m)) {
          mean.put(k, m);
        } else {
          mean.putNull(k);
        }
      });
      return new Candidate(point, mean, gaps, collapsed);
    }

    /** Mean Avg Gap over the seeds; NaN if any is NaN. */
    double meanGap() {
      return mean(gaps);
    }

    /** Mean Avg Gap plus its sample standard deviation over the seeds (0 on one seed); NaN if any is NaN. */
    double gapScore() {
      return meanGap() + sampleStd(gaps);
    }
  }

  /**
   * The do-nothing bar of a scenario: the Avg Gap of its {@code original} rows (the unchanged model, audited like
   * every cell) over the tuning seeds. A winner beats it when its mean Avg Gap is below the bar's mean by more than
   * the bar's sample standard deviation over those seeds (strictly below on one seed, where that is 0). The
   * do-nothing row has no hyperparameter and trains nothing, so its spread over the seeds is what the seed alone
   * (another original, RT and forget draw) moves Avg Gap by; a winner within that spread of the bar has not been
   * shown to unlearn anything. On the class:Sandal retune the bar is 50.09 with a std of 0.13, and LAF's
   * winner, 50.07, is within it (BENCHMARKS.md).
   *
   * @param meanGap the mean Avg Gap of the do-nothing rows ({@code do_nothing_avg_gap} in the recipe)
   * @param stdGap their sample standard deviation (0 on one seed): the margin
   */
  record DoNothing(double meanGap, double stdGap) {
    /**
     * The bar of {@code rows}, the do-nothing rows of the tuning seeds; null when there are none or one has no
     * finite Avg Gap, so a winner is then recorded without the comparison rather than against an invented bar.
     */
    static DoNothing of(List<JsonNode> rows) {
      List<Double> gaps = new ArrayList<>();
      for (JsonNode row : rows) {
        gaps.add(Json.number(row.path("metrics"), "avg_gap"));
      }
      if (gaps.isEmpty() || !gaps.stream().allMatch(Double::isFinite)) {
        return null;
      }
      return new DoNothing(mean(gaps), sampleStd(gaps));
    }

    /** True iff {@code winner}'s mean Avg Gap is below the bar by more than its spread (false when it is NaN). */
    boolean beatenBy(Candidate winner) {
      return winner.meanGap() < meanGap - stdGap;
    }

    /**
     * Records the comparison in {@code entry}, {@code method}'s recipe entry for {@code forget} with {@code winner}
     * its winner, and says on stderr when the winner does not beat doing nothing.
     */
    void judge(String method, String forget, Candidate winner, ObjectNode entry) {
      boolean beats = beatenBy(winner);
      entry.put("do_nothing_avg_gap", meanGap);
      entry.put("beats_do_nothing", beats);
      if (beats) {
        return;
      }
      StringBuilder point = new StringBuilder();
      winner.point().forEach((k, v) -> point.append(point.isEmpty() ? "" : " ").append(k).append('=').append(v));
      System.err.println("lethe: " + method + ": its winner on " + forget + " ("
          + (point.isEmpty() ? "its defaults" : point) + ") does not beat doing nothing on validation ("
          + String.format(Locale.ROOT, "Avg Gap %.2f against %.2f unchanged", winner.meanGap(), meanGap)
          + (stdGap > 0 ? String.format(Locale.ROOT, ", std %.2f over the tuning seeds", stdGap) : "")
          + "): installed anyway; widen the grid or leave " + method + " out of this scenario");
    }
  }

  private static double mean(List<Double> values) {
    return StatUtils.mean(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The sample standard deviation of {@code values}, 0 for one value. */
  private static double sampleStd(List<Double> values) {
    return new StandardDeviation().evaluate(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * The winner of a method's grid and why: its score (gap score plus the neighbour penalty), whether a grid
   * neighbour collapsed, and the numeric axes on whose smallest or largest value it sits.
   */
  record Choice(Candidate winner, double score, boolean neighbourCollapsed, List<String> edge) {
    ObjectNode toJson() {
      ObjectNode w = Json.MAPPER.createObjectNode();
      w.set("params", Json.MAPPER.valueToTree(winner.point()));
      w.set("metrics", winner.meanMetrics());
      w.set("avg_gap_per_seed", Json.MAPPER.valueToTree(winner.gaps()));
      if (Double.isFinite(score)) {
        w.put("score", score);
      } else {
        w.putNull("score");
      }
      w.put("collapsed", winner.collapsedSeeds() > 0);
      w.put("collapsed_seeds", winner.collapsedSeeds());
      w.put("neighbour_collapsed", neighbourCollapsed);
      if (!edge.isEmpty()) {
        w.set("edge", Json.MAPPER.valueToTree(edge));
      }
      return w;
    }
  }

  /**
   * Chooses among {@code candidates}, the points of {@code grid} (as {@link #expand} lists them), by the rule
   * in the class comment.
   */
  static Choice select(Map<String, List<String>> grid, List<Candidate> candidates) {
    List<int[]> steps = new ArrayList<>();
    for (Candidate c : candidates) {
      steps.add(gridSteps(grid, c.point()));
    }
    Choice best = null;
    for (int i = 0; i < candidates.size(); i++) {
      boolean neighbourCollapsed = false;
      for (int j = 0; j < candidates.size(); j++) {
        neighbourCollapsed |= candidates.get(j).collapsedSeeds() > 0 && distance(steps.get(i), steps.get(j)) == 1;
      }
      Candidate c = candidates.get(i);
      Choice choice = new Choice(c, c.gapScore() + (neighbourCollapsed ? NEIGHBOUR_PENALTY : 0), neighbourCollapsed,
          edgeAxes(grid, c.point()));
      if (best == null || beats(choice, best)) {
        best = choice;
      }
    }
    return best;
  }

  private static boolean beats(Choice a, Choice b) {
    if (a.winner().collapsedSeeds() != b.winner().collapsedSeeds()) {
      return a.winner().collapsedSeeds() < b.winner().collapsedSeeds();
    }
    return !Double.isNaN(a.score()) && (Double.isNaN(b.score()) || a.score() < b.score());
  }

  /** The point's position along each axis of {@code grid}, in the axis's order ({@link #sortedAxis}). */
  private static int[] gridSteps(Map<String, List<String>> grid, Map<String, String> point) {
    int[] out = new int[grid.size()];
    int i = 0;
    for (Map.Entry<String, List<String>> axis : grid.entrySet()) {
      out[i++] = sortedAxis(axis.getValue()).indexOf(point.get(axis.getKey()));
    }
    return out;
  }

  private static int distance(int[] a, int[] b) {
    int d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Math.abs(a[i] - b[i]);
    }
    return d;
  }

  /** An axis's values by numeric value when all are numbers, else in the order given. */
  static List<String> sortedAxis(List<String> values) {
    for (String v : values) {
      if (!isNumber(v)) {
        return values;
      }
    }
    List<String> sorted = new ArrayList<>(values);
    sorted.sort(java.util.Comparator.comparingDouble(Double::parseDouble));
    return sorted;
  }

  private static boolean isNumber(String v) {
    try {
      return Double.isFinite(Double.parseDouble(v));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The numeric axes (with at least two values) on whose smallest or largest value {@code point} sits. */
  private static List<String> edgeAxes(Map<String, List<String>> grid, Map<String, String> point) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> axis : grid.entrySet()) {
      List<String> sorted = sortedAxis(axis.getValue());
      if (!sorted.stream().allMatch(Tuner::isNumber)) {
        continue;
      }
      double lo = Double.parseDouble(sorted.get(0));
      double hi = Double.parseDouble(sorted.get(sorted.size() - 1));
      if (lo == hi) {
        continue;
      }
      double v = Double.parseDouble(point.get(axis.getKey()));
      if (v == lo || v == hi) {
        out.add(axis.getKey());
      }
    }
    return out;
  }

  private static boolean collapsed(JsonNode metrics, double rtHeldOutAcc) {
    double acc = Json.number(metrics, "test_acc");
    return Json.number(metrics, "outputs_finite") == 0 || Double.isNaN(acc)
        || acc < rtHeldOutAcc - Summary.COLLAPSE_POINTS;
  }

  private void writeRecipe(ForgetSpec spec, ObjectNode winners, Progress progress) {
    java.nio.file.Path file = Recipe.fileFor(config.recipes(), config.dataset(), config.model(), spec.text());
    JsonNode setup = Recipe.setup(config);
    Recipe old = Recipe.read(file, config.dataset(), config.model(), spec);
    ObjectNode recipe = Json.MAPPER.createObjectNode();
    if (old != null && old.sameSetup(setup) && old.selectedOnValidation()) {
      recipe = (ObjectNode) old.json().deepCopy();
    } else if (old != null) {
      List<String> dropped = new ArrayList<>();
      old.json().path("winners").fieldNames().forEachRemaining(m -> {
        if (!winners.has(m)) {
          dropped.add(m);
        }
      });
      progress.note("replacing " + file + ", which was " + (old.sameSetup(setup)
          ? "selected on the test split" : "tuned for another width, split or training recipe")
          + (dropped.isEmpty() ? "" : "; the winners of " + String.join(", ", dropped) + " are dropped: retune them"));
    }
    recipe.put("dataset", config.dataset());
    recipe.put("model", config.model());
    recipe.put("forget", spec.text());
    recipe.set("setup", setup);
    recipe.put("selected_on", Recipe.SELECTED_ON_VALIDATION);
    java.util.TreeSet<Long> allSeeds = new java.util.TreeSet<>(seeds);
    recipe.path("tuning_seeds").forEach(x -> allSeeds.add(x.asLong()));
    recipe.set("tuning_seeds", Json.MAPPER.valueToTree(allSeeds));
    recipe.put("selection", SELECTION);
    recipe.put("do_nothing_rule", DO_NOTHING_RULE);
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
      MethodRegistry.MethodKey key =
          eq < 0 || arg.lastIndexOf('.', eq) <= 0 ? null : registry.methodKey(arg.substring(0, eq));
      if (key == null || key.key().isEmpty()) {
        throw new LetheException("malformed --grid '" + arg + "': write method.key=v1,v2,..., e.g. ga.lr=1e-4,3e-4");
      }
      String method = key.method();
      List<String> values = new ArrayList<>();
      for (String v : arg.substring(eq + 1).split(",", -1)) {
        if (v.isBlank()) {
          throw new LetheException("--grid " + arg + " has an empty value: list at least one, e.g. " + method + ".lr=0.01");
        }
        values.add(v.trim());
      }
      out.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(key.key(), values);
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
