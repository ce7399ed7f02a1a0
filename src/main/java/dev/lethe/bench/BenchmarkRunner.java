package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.report.Summary;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Retrain;
import dev.lethe.unlearn.Unlearner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a benchmark grid cell by cell. For each seed the original model is trained (or loaded) once; for
 * each forget spec the retrained reference is trained (or loaded) and audited first, then every method
 * unlearns a copy of the original and is audited against it. Each finished cell is appended to
 * {@code results.jsonl} (the commit point) and {@code summary.md} is rewritten, so an interrupted run
 * resumes without redoing a finished cell or a cached model.
 */
public final class BenchmarkRunner {
  /** Results file name inside the output directory. */
  public static final String RESULTS = "results.jsonl";

  /** Summary file name inside the output directory. */
  public static final String SUMMARY = "summary.md";

  private final BenchConfig config;
  private final MethodRegistry registry;
  private final Map<String, Recipe> recipes = new java.util.HashMap<>();

  /** A runner for {@code config}; every method and parameter is validated here, before any training. */
  public BenchmarkRunner(BenchConfig config) {
    this.config = config;
    this.registry = new MethodRegistry(config.training());
    for (String forget : config.forgets()) {
      Recipe recipe = Recipe.find(config.recipes(), config.dataset(), config.model(), Recipe.setup(config), forget);
      if (recipe != null) {
        recipe.checkSeeds(config.seeds());
        recipes.put(ForgetSpec.parse(forget).text(), recipe);
      }
    }
    for (String m : config.methods()) {
      for (String forget : config.forgets()) {
        registry.get(m).create(paramsFor(recipes.get(ForgetSpec.parse(forget).text()), m));
      }
    }
    for (String m : config.params().keySet()) {
      registry.get(m);
    }
    if (config.params().containsKey(Retrain.ID)) {
      throw new LetheException(
          "retrain repeats the original's training recipe: set it with --epochs, --lr, --batch-size, not --param retrain.*");
    }
  }

  /** Runs every pending cell and returns all rows of the results file. */
  public List<JsonNode> run() {
    Path out = config.out();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new LetheException("output directory " + out + " is a file: pass another --out");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new LetheException("cannot create output directory " + out + ": " + e.getMessage());
    }
    ResultLog log = ResultLog.open(out.resolve(RESULTS));
    List<ForgetSpec> specs = new ArrayList<>();
    for (String f : config.forgets()) {
      specs.add(ForgetSpec.parse(f));
    }
    Experiment experiment =
        new Experiment(
            config.dataset(), config.dataDir(), config.model(), config.width(), config.split(),
            config.training(), new ArtifactStore(config.store()));
    for (long seed : config.seeds()) {
      for (ForgetSpec spec : specs) {
        experiment.task(spec, seed); // fail on a bad forget spec before any training
      }
    }
    for (long seed : config.seeds()) {
      runSeed(experiment, specs, seed, log);
    }
    return log.rows();
  }

  private void runSeed(Experiment experiment, List<ForgetSpec> specs, long seed, ResultLog log) {
    Network original = null;
    try {
      for (ForgetSpec spec : specs) {
        String scenario = config.scenario(spec.text());
        List<String> pending = new ArrayList<>();
        for (String m : methodsInOrder()) {
          // class-only methods (trw) have no cell in a random or id-list scenario
          if (!log.has(scenario, m, seed) && registry.get(m).supports(spec)) {
            pending.add(m);
          }
        }
        if (pending.isEmpty()) {
          continue;
        }
        Progress progress = Progress.stderr(scenario + " seed " + seed);
        if (original == null) {
          original = experiment.original(seed, progress.child("original")).network();
        }
        ForgetTask task = experiment.task(spec, seed);
        runScenario(experiment, scenario, spec, task, original, seed, pending, log, progress);
        Json.writeAtomically(config.out().resolve(SUMMARY), Summary.markdown(log.rows()));
      }
    } finally {
      if (original != null) {
        original.close();
      }
    }
  }

  private void runScenario(
      Experiment experiment, String scenario, ForgetSpec spec, ForgetTask task, Network original,
      long seed, List<String> pending, ResultLog log, Progress progress) {
    ScenarioRun run = new ScenarioRun(experiment, task, original, seed, progress);
    Recipe recipe = recipes.get(spec.text());
    if (pending.contains(Retrain.ID)) {
      log.append(Rows.of(config.dataset(), config.model(), scenario, experiment, task, Retrain.ID,
          experiment.training(), seed, run.retrainMetrics(), run.retrainReused(), null));
    }
    for (String method : pending) {
      if (method.equals(Retrain.ID)) {
        continue;
      }
      Unlearner unlearner = registry.get(method).create(paramsFor(recipe, method));
      progress.note("unlearning with " + method);
      Map<String, Double> metrics = run.evaluate(unlearner, seed, progress);
      log.append(Rows.of(config.dataset(), config.model(), scenario, experiment, task, method,
          unlearner.options(), seed, metrics, false, recipe == null ? null : recipe.file()));
    }
  }

  private Map<String, String> paramsFor(Recipe recipe, String method) {
    Map<String, String> params = new java.util.LinkedHashMap<>();
    if (recipe != null) {
      params.putAll(recipe.winner(method));
    }
    params.putAll(config.params().getOrDefault(method, Map.of()));
    return params;
  }

  private List<String> methodsInOrder() {
    List<String> out = new ArrayList<>();
    out.add(Retrain.ID);
    for (String m : config.methods()) {
      if (!out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }
}
