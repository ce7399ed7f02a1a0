package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.DeletionRequests;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleAudit;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.PerExampleScores;
import dev.lethe.experiment.Provenance;
import dev.lethe.model.Network;
import dev.lethe.report.Report;
import dev.lethe.report.Summary;
import dev.lethe.train.LossDivergedException;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.method.Original;
import dev.lethe.unlearn.method.Retrain;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a benchmark grid cell by cell. For each seed the original model is trained (or loaded) once; for
 * each forget spec the retrained reference RT is trained (or loaded) and audited first, then the second
 * exact retrain {@value #SECOND_RETRAIN} (the noise floor), then every method unlearns a copy of the original
 * and is audited against RT. A cell is identified by the content hash of everything that determines it
 * ({@link Rows#cell}): a rerun skips a cell whose key is in {@code results.jsonl}, recomputes one whose
 * configuration changed (replacing the stale row, with a line on stderr), and keeps a collapsed cell unless
 * asked to retry it. With {@link BenchConfig#strongAudit()} every row also carries the per-example audits of
 * an {@link Ensemble} of shadow models ({@link EnsembleAudit}): a method's over its unlearned twins, the
 * second retrain's (the floor) over a second retrain of every shadow, the original's (the ceiling) over the
 * shadows untouched, RT's the retrains' own attack values. Each finished cell is committed to
 * {@code results.jsonl}; {@code summary.md} is rewritten from the current grid's rows at the end of every run.
 * The output directory is locked for the run. A task's pending cells are computed where {@link
 * BenchConfig#cellExecutor} says (here, or as a {@link CellJob} on a cluster's executors, each cell by {@link
 * #computeCell} either way); this runner commits every row.
 */
public final class BenchmarkRunner {
  /** Results file name inside the output directory. */
  public static final String RESULTS = Report.RESULTS_FILE;

  /** Summary file name inside the output directory. */
  public static final String SUMMARY = "summary.md";

  /** The method id of the second exact retrain, the noise floor of every scenario. */
  public static final String SECOND_RETRAIN = "retrain-2";

  /** The progress label of the strong audit's ensemble members. */
  private static final String ENSEMBLE = "ensemble";

  /** The directory of per-example outputs inside the output directory. */
  public static final String OUTPUTS = "outputs";

  /** Where a stored unlearned model's metadata keeps its unlearning's {@link ScenarioRun.Unlearned#work}. */
  private static final String WORK = "work";

  /**
   * The store's kind of a cell's unlearned model: kept, keyed by everything that determines it, so that a rerun
   * into another output directory (or after its results are lost) audits it again without unlearning again.
   */
  private static final String UNLEARNED = "unlearned";

  /**
   * How a run treats earlier work and what it keeps besides the results.
   *
   * @param retryFailed recompute cells that collapsed in an earlier run instead of keeping them
   * @param saveModels directory to save every unlearned model in (checkpoint + provenance), or null
   */
  public record Flags(boolean retryFailed, Path saveModels) {
    /** Keep collapsed cells, save no models. */
    public static final Flags DEFAULT = new Flags(false, null);
  }

  private final BenchConfig config;
  private final Flags flags;
  private final MethodRegistry registry;
  /** Each forget spec's recipe ({@link Recipe#forRequest}; null: bare defaults), found in {@link #run}. */
  private final Map<String, Recipe> recipes = new java.util.HashMap<>();

  /** A runner with {@link Flags#DEFAULT}. */
  public BenchmarkRunner(BenchConfig config) {
    this(config, Flags.DEFAULT);
  }

  /**
   * A runner for {@code config}; every method and parameter is validated here, before any training (the
   * recipes' parameters when {@link #run} finds the recipes, still before any training).
   */
  public BenchmarkRunner(BenchConfig config, Flags flags) {
    this.config = config;
    this.flags = flags;
    if (flags.saveModels() != null && Files.exists(flags.saveModels()) && !Files.isDirectory(flags.saveModels())) {
      throw new LetheException("--save-models " + flags.saveModels() + " is a file: pass a directory");
    }
    this.registry = new MethodRegistry(config.training(), config.store());
    if (config.methods().contains(SECOND_RETRAIN)) {
      throw new LetheException("method id " + SECOND_RETRAIN + " names the benchmark's second exact retrain (the noise"
          + " floor), which every scenario runs anyway: give a method of your own another id");
    }
    for (String m : config.methods()) {
      registry.get(m).create(paramsFor(null, m));
    }
    for (String m : config.params().keySet()) {
      registry.get(m);
    }
    if (config.params().containsKey(Retrain.ID)) {
      throw new LetheException(
          "retrain repeats the original's training recipe: set it with --epochs, --lr, --batch-size, not --param retrain.*");
    }
  }

  /** Runs every pending cell and returns the rows of the current grid, in grid order. */
  public List<JsonNode> run() {
    Path out = config.out();
    try (OutputLock lock = OutputLock.acquire(out)) {
      ResultLog log = ResultLog.open(out.resolve(RESULTS));
      List<ForgetSpec> specs = new ArrayList<>();
      for (String f : config.forgets()) {
        specs.add(ForgetSpec.parse(f));
      }
      Experiment experiment = config.cellExecutor().cellsOf(
          new Experiment(
              config.dataset(), config.dataDir(), config.model(), config.width(), config.split(),
              config.training(), new ArtifactStore(config.store())));
      for (long seed : config.seeds()) {
        for (ForgetSpec spec : specs) {
          Experiment own = experiment.forRequest(spec); // a poisoned batch is trained in: its own pool
          if (spec instanceof ForgetSpec.WorstCase worst) {
            config.cellExecutor().search(own, worst, seed); // with the original of the cells' threads
          }
          ForgetTask task = own.task(spec, seed); // fail on a bad forget spec before any training
          if (config.requests() > 1) {
            DeletionRequests.of(task, config.requests()); // and on more requests than it holds
          }
          if (config.strongAudit()) {
            new Ensemble(own, task, config.ensemble(), seed); // and on a target set no half can share
          }
        }
      }
      for (ForgetSpec spec : specs) {
        findRecipe(experiment.forRequest(spec).task(spec, config.seeds().get(0)));
      }
      List<JsonNode> current = new ArrayList<>();
      for (long seed : config.seeds()) {
        runSeed(experiment, specs, seed, log, current);
      }
      Json.writeAtomically(out.resolve(SUMMARY), Summary.markdown(current));
      return current;
    }
  }

  /** One cell of the grid before it runs: its method (unlearner null for the two retrains), cell and key. */
  record Cell(String method, Unlearner unlearner, Record options, JsonNode cell, String key) {}

  private void runSeed(
      Experiment clean, List<ForgetSpec> specs, long seed, ResultLog log, List<JsonNode> current) {
    // one original per training pool: the clean one, and each poisoned batch's own
    Map<String, ArtifactStore.Artifact> originals = new java.util.HashMap<>();
    try {
      for (ForgetSpec spec : specs) {
        Experiment experiment = clean.forRequest(spec);
        ForgetTask task = experiment.task(spec, seed);
        String scenario = config.scenario(spec.text());
        if (config.requests() == 1) {
          runTask(experiment, scenario, task, null, 0, seed, originals, log, current);
          continue;
        }
        DeletionRequests requests = DeletionRequests.of(task, config.requests());
        Map<String, Integer> collapsedAt = new java.util.HashMap<>();
        for (int i = 1; i <= requests.count(); i++) {
          runTask(experiment, requestScenario(scenario, i, requests.count()), requests.cumulative(i),
              new Chain(requests, scenario, collapsedAt), i, seed, originals, log, current);
        }
      }
    } finally {
      for (ArtifactStore.Artifact original : originals.values()) {
        original.network().close();
      }
    }
  }

  /** The scenario name of request {@code i} of {@code k}: {@code fashion-mnist/cnn/random:0.1 request 2/4}. */
  static String requestScenario(String scenario, int i, int k) {
    return scenario + " request " + i + "/" + k;
  }

  /**
   * The deletion requests a scenario's forget set arrives as, and for each method the first request it collapsed
   * at in this run (the later ones are not run: they would serve on a model that is not there).
   */
  record Chain(DeletionRequests requests, String scenario, Map<String, Integer> collapsedAt) {}

  /**
   * Runs every pending cell of one task: all of a scenario, or request {@code request} of a chain (then
   * {@code task} is everything forgotten so far, RT and the second retrain train without it, the original is
   * audited against them as the do-nothing bar, and each method serves this request on its own result of the
   * previous one).
   */
  private void runTask(Experiment experiment, String scenario, ForgetTask task, Chain chain, int request, long seed,
      Map<String, ArtifactStore.Artifact> originals, ResultLog log, List<JsonNode> current) {
    ForgetSpec spec = task.spec();
    Recipe recipe = recipes.get(spec.text());
    List<Cell> pending = new ArrayList<>();
    for (Cell cell : cells(experiment, task, spec, recipe, seed, chain, request)) {
      JsonNode done = log.get(cell.key());
      if (done != null && !(flags.retryFailed() && Rows.isCollapsed(done)) && saved(done, cell, scenario, seed)) {
        current.add(done);
        if (chain != null && Rows.isCollapsed(done)) {
          chain.collapsedAt().putIfAbsent(cell.method(), request);
        }
        continue;
      }
      pending.add(cell);
      JsonNode stale = log.find(r -> ResultLog.inSlot(r, scenario, cell.method(), seed));
      if (stale != null) {
        System.err.println("lethe: recomputing " + cell.method() + " seed " + seed + " on " + scenario + ": "
            + (stale != done ? Rows.changes(stale, cell.cell())
                : Rows.isCollapsed(done) ? "it collapsed before (--retry-failed)" : "its model is not in --save-models"));
      }
    }
    if (pending.isEmpty()) {
      return;
    }
    CellJob job = new CellJob(this, experiment, scenario, task, chain, request, seed, recipe, pending, pending,
        originals, false);
    Ensemble ensemble = job.ensemble();
    if (ensemble != null) {
      config.ensembleExecutor().compute(ensemble, ensembleMembers(ensemble, pending),
          job.progress().child(ENSEMBLE)::note);
    }
    config.cellExecutor().compute(job, row -> {
      String method = row.get("method").asText();
      log.commit(row, r -> ResultLog.inSlot(r, scenario, method, seed));
      current.add(row);
      if (chain != null && Rows.isCollapsed(row)) {
        chain.collapsedAt().putIfAbsent(method, request);
      }
    });
  }

  /**
   * Computes {@code cell} of {@code job}'s task and returns its finished row, keyed by the whole cell (the strong
   * audit's design and the request included) and carrying the original's and RT's provenance.
   */
  ObjectNode computeCell(CellJob job, Cell cell) {
    Experiment experiment = job.experiment();
    ForgetTask task = job.task();
    Chain chain = job.chain();
    ScenarioRun run = job.run();
    ArtifactStore.Artifact original = job.original();
    ObjectNode row = chain != null && cell.unlearner() != null && !cell.method().equals(Original.ID)
        ? runRequestCell(experiment, job.scenario(), task, run, chain, job.request(), original, cell, job.seed(),
            job.recipe(), job.progress())
        : runCell(experiment, job.scenario(), task, run, original.network(), job.ensemble(), cell, job.seed(),
            job.recipe(), job.progress());
    row.put(Rows.CELL_KEY, cell.key());
    row.set("cell", cell.cell());
    if (chain != null) {
      row.put("request", job.request());
      row.put("requests", chain.requests().count());
      row.put("requests_of", chain.scenario());
    }
    ObjectNode prov = (ObjectNode) row.get("provenance");
    prov.set("original", Rows.modelProvenance(original));
    prov.set("retrain", Rows.modelProvenance(run.retrainProvenance(), run.retrainReused()));
    return row;
  }

  /**
   * The task of {@code seed}, {@code spec} and {@code request} (0 outside a chain) rebuilt in another JVM ({@link
   * CellJob#rebuild}), with every cell of it and {@code collapsedAt} as the chain's collapses so far.
   *
   * @throws LetheException if this JVM trains with other threads than {@code threads}, which the cells' keys name
   */
  CellJob rebuilt(int threads, long seed, ForgetSpec spec, int request, Map<String, Integer> collapsedAt) {
    Experiment experiment = experimentOfThreads(config, threads).forRequest(spec);
    recipe(experiment.task(spec, config.seeds().get(0)));
    Recipe recipe = recipes.get(spec.text());
    ForgetTask task = experiment.task(spec, seed);
    String scenario = config.scenario(spec.text());
    Chain chain = null;
    if (config.requests() > 1) {
      DeletionRequests requests = DeletionRequests.of(task, config.requests());
      chain = new Chain(requests, scenario, collapsedAt);
      scenario = requestScenario(scenario, request, requests.count());
      task = requests.cumulative(request);
    }
    List<Cell> all = cells(experiment, task, spec, recipe, seed, chain, request);
    return new CellJob(this, experiment, scenario, task, chain, request, seed, recipe, all, List.of(),
        new java.util.HashMap<>(), true);
  }

  /**
   * The experiment {@code config} describes, in this JVM, whose models must be keyed by {@code threads}: a job's
   * cells are computed by the code of the threads that key them.
   *
   * @throws LetheException if this JVM trains with another thread count
   */
  static Experiment experimentOfThreads(BenchConfig config, int threads) {
    Experiment experiment = new Experiment(config.dataset(), config.dataDir(), config.model(), config.width(),
        config.split(), config.training(), new ArtifactStore(config.store()));
    if (experiment.threads() != threads) {
      throw new LetheException("this JVM trains with " + experiment.threads() + " intra-op thread(s), but the cells "
          + "are keyed as trained with " + threads + ": run it with -Dai.djl.pytorch.num_threads=" + threads);
    }
    return experiment;
  }

  /** The grid this runner runs. */
  BenchConfig config() {
    return config;
  }

  /** How this runner treats earlier work and what it keeps. */
  Flags flags() {
    return flags;
  }

  /**
   * A method serving request {@code request} of a chain: its model after the previous request (the original
   * before the first) unlearns this request's part on the pool left, audited against the retrain without
   * everything forgotten so far. Each request's model is a store artifact keyed by its cell, so a rerun serves
   * the next request without redoing the earlier ones; a method that collapsed at an earlier request is recorded
   * collapsed here too, without running.
   */
  private ObjectNode runRequestCell(Experiment experiment, String scenario, ForgetTask task, ScenarioRun run,
      Chain chain, int request, ArtifactStore.Artifact original, Cell cell, long seed, Recipe recipe,
      Progress progress) {
    ObjectNode row = Rows.of(config.dataset(), config.model(), scenario, experiment, task, cell.method(),
        cell.options(), seed, Map.of(), false, recipe != null && recipe.tunes(cell.method()) ? recipe : null);
    Integer earlier = chain.collapsedAt().get(cell.method());
    if (earlier != null) {
      return Rows.collapsed(row, 0, "it collapsed at request " + earlier + ", so there is no model to serve request "
          + request + " on");
    }
    progress.note("serving request " + request + "/" + chain.requests().count() + " with " + cell.method());
    Path outputs = config.out().resolve(OUTPUTS).resolve(cellPath(scenario, cell.method(), seed));
    Path model = flags.saveModels() == null ? null : flags.saveModels().resolve(cellPath(scenario, cell.method(), seed));
    AtomicReference<ArtifactStore.Artifact> servedModel = new AtomicReference<>();
    ScenarioRun.Evaluation evaluation = run.evaluate(cell.method(), () -> {
      servedModel.set(served(experiment, chain, request, original, cell, seed, progress));
      return unlearned(servedModel.get());
    }, progress, keep(experiment, scenario, task, cell, seed, outputs, model));
    ObjectNode finished = Rows.of(config.dataset(), config.model(), scenario, experiment, task, cell.method(),
        cell.options(), seed, evaluation.metrics(), servedModel.get() != null && servedModel.get().reused(),
        recipe != null && recipe.tunes(cell.method()) ? recipe : null);
    if (evaluation.collapsed()) {
      return Rows.collapsed(finished, evaluation.collapseStep(), evaluation.collapseReason());
    }
    finished.put("outputs", config.out().relativize(outputs).toString());
    if (model != null) {
      finished.put("model", model.toAbsolutePath().toString());
    }
    return finished;
  }

  /**
   * The method's model after request {@code request}: from the store, or served on its model after the previous
   * (for a method that keeps its own state, such as SISA's slice checkpoints, on the original, once its previous
   * request is served: that state is what the request resumes from). The artifact is stored with the method's
   * {@link Unlearner#unlearnedArchitecture}, its unlearning seconds and work in the metadata.
   */
  private ArtifactStore.Artifact served(Experiment experiment, Chain chain, int request, ArtifactStore.Artifact original,
      Cell cell, long seed, Progress progress) {
    JsonNode key = cell(experiment, chain.requests().cumulative(request), cell.method(), cell.unlearner(),
        cell.options(), seed, chain, request).cell();
    Unlearner unlearner = cell.unlearner();
    return stored(experiment, "request", key, cell, seed, meta -> meta.put("request", request), () -> {
      ArtifactStore.Artifact previous = request == 1 ? null
          : served(experiment, chain, request - 1, original, cell, seed, progress);
      Network from = previous == null || unlearner.keepsOwnState() ? original.network() : previous.network();
      try {
        return ScenarioRun.unlearn(experiment, unlearner, from, chain.requests().step(request), seed,
            progress.child(cell.method() + " request " + request));
      } finally {
        if (previous != null) {
          previous.network().close();
        }
      }
    });
  }

  /**
   * The unlearned model {@code unlearn} computes for {@code cell}, as a store artifact of {@code kind} and {@code
   * key}: loaded when stored, else computed and stored with the method's {@link Unlearner#unlearnedArchitecture},
   * its unlearning seconds and work in the metadata (with what {@code describe} adds), so a rerun reports the
   * timing measured when it was computed.
   */
  private static ArtifactStore.Artifact stored(Experiment experiment, String kind, JsonNode key, Cell cell, long seed,
      Consumer<ObjectNode> describe, Supplier<ScenarioRun.Unlearned> unlearn) {
    return experiment.store().getOrCompute(kind, key,
        cell.unlearner().unlearnedArchitecture(experiment.architecture()), () -> {
          ScenarioRun.Unlearned unlearned = unlearn.get();
          ObjectNode meta = Json.MAPPER.createObjectNode();
          meta.put("method", cell.method());
          describe.accept(meta);
          meta.put("seed", seed);
          meta.put("unlearn_seconds", unlearned.seconds());
          meta.set(WORK, Json.MAPPER.valueToTree(unlearned.work()));
          meta.set("versions", Provenance.versions(Json.MAPPER));
          return new ArtifactStore.Computed(unlearned.network(), meta);
        });
  }

  /** A stored unlearned model ({@link #stored}) with the seconds and work its computation measured. */
  private static ScenarioRun.Unlearned unlearned(ArtifactStore.Artifact stored) {
    Map<String, Double> work = new java.util.TreeMap<>();
    stored.metadata().path(WORK).fields().forEachRemaining(e -> work.put(e.getKey(), e.getValue().asDouble()));
    return new ScenarioRun.Unlearned(stored.network(), stored.metadata().path("unlearn_seconds").asDouble(), work);
  }

  private ObjectNode runCell(Experiment experiment, String scenario, ForgetTask task, ScenarioRun run,
      Network original, Ensemble ensemble, Cell cell, long seed, Recipe recipe, Progress progress) {
    if (cell.method().equals(Retrain.ID)) {
      Map<String, Double> metrics = new java.util.LinkedHashMap<>(run.retrainMetrics());
      if (ensemble != null) {
        Progress p = progress.child(ENSEMBLE);
        metrics.putAll(EnsembleAudit.measureRetrain(ensemble, ensemble.originals(p), ensemble.retrains(p)));
      }
      return Rows.of(config.dataset(), config.model(), scenario, experiment, task, Retrain.ID, cell.options(),
          seed, metrics, run.retrainReused(), null);
    }
    Path outputs = config.out().resolve(OUTPUTS).resolve(cellPath(scenario, cell.method(), seed));
    if (cell.method().equals(SECOND_RETRAIN)) {
      ScenarioRun.Retrain2 second = run.secondRetrain(seed, progress);
      EnsembleAudit.Measured strong = ensemble == null ? null
          : strongAudit(ensemble, ensemble.secondRetrains(progress.child(ENSEMBLE)), progress);
      if (strong != null) {
        second.metrics().putAll(strong.metrics());
      }
      ObjectNode row = Rows.of(config.dataset(), config.model(), scenario, experiment, task, SECOND_RETRAIN,
          cell.options(), seed, second.metrics(), second.artifact().reused(), null);
      ((ObjectNode) row.get("provenance")).set("retrain_2", Rows.modelProvenance(second.artifact()));
      keepPerExample(row, strong, outputs, cell);
      return row;
    }
    progress.note("unlearning with " + cell.method());
    Path model = flags.saveModels() == null ? null : flags.saveModels().resolve(cellPath(scenario, cell.method(), seed));
    ScenarioRun.Keep keep = keep(experiment, scenario, task, cell, seed, outputs, model);
    AtomicReference<ArtifactStore.Artifact> storedModel = new AtomicReference<>();
    ScenarioRun.Evaluation evaluation = cell.method().equals(Original.ID)
        ? run.evaluate(cell.unlearner(), seed, progress, keep)
        : run.evaluate(cell.method(), () -> {
          storedModel.set(stored(experiment, UNLEARNED, modelKey(cell), cell, seed, meta -> { },
              () -> ScenarioRun.unlearn(experiment, cell.unlearner(), original, task, seed,
                  progress.child(cell.method()))));
          return unlearned(storedModel.get());
        }, progress, keep);
    EnsembleAudit.Measured strong = null;
    if (ensemble != null && !evaluation.collapsed()) {
      Progress p = progress.child(ENSEMBLE);
      try {
        strong = strongAudit(ensemble,
            cell.method().equals(Original.ID) ? ensemble.originals(p) : ensemble.twins(cell.unlearner(), p), progress);
        evaluation.metrics().putAll(strong.metrics());
      } catch (LossDivergedException e) {
        // the method's own cell finished; its twins did not, so it has no per-example audit (said, not hidden)
        progress.note(cell.method() + " diverged on a shadow model, no per-example audit: " + e.getMessage());
      }
    }
    ArtifactStore.Artifact stored = storedModel.get();
    ObjectNode row = Rows.of(config.dataset(), config.model(), scenario, experiment, task, cell.method(),
        cell.options(), seed, evaluation.metrics(), stored != null && stored.reused(),
        recipe != null && recipe.tunes(cell.method()) ? recipe : null);
    if (stored != null) {
      ((ObjectNode) row.get("provenance")).set(UNLEARNED, Rows.modelProvenance(stored));
    }
    if (evaluation.collapsed()) {
      return Rows.collapsed(row, evaluation.collapseStep(), evaluation.collapseReason());
    }
    row.put("outputs", config.out().relativize(outputs).toString());
    keepPerExample(row, strong, outputs, cell);
    if (model != null) {
      row.put("model", model.toAbsolutePath().toString());
    }
    return row;
  }

  /** The store key of {@code cell}'s unlearned model: the cell without its strong audit, which does not change it. */
  private static JsonNode modelKey(Cell cell) {
    ObjectNode key = cell.cell().deepCopy();
    key.remove("strong_audit");
    return key;
  }

  /** Writes an unlearned model's per-example outputs to {@code outputs} and, if {@code model} is not null, saves it there. */
  private static ScenarioRun.Keep keep(Experiment experiment, String scenario, ForgetTask task, Cell cell, long seed,
      Path outputs, Path model) {
    return (net, out) -> {
      ObjectNode about = Json.MAPPER.createObjectNode();
      about.put(Rows.CELL_KEY, cell.key());
      about.set("cell", cell.cell());
      out.write(outputs, experiment.splits(), about);
      if (model != null) {
        ObjectNode meta = about.deepCopy();
        meta.set("experiment", experiment.describe());
        meta.put("scenario", scenario);
        meta.put("forget", task.spec().text());
        meta.put("method", cell.method());
        meta.put("seed", seed);
        meta.set("params", cell.cell().get("params"));
        meta.set("versions", Provenance.versions(Json.MAPPER));
        dev.lethe.model.Checkpoints.save(net, model, meta);
      }
    };
  }

  /**
   * The experiment the ensemble's members are trained and keyed with: in worker processes or on a cluster, one
   * thread each; else this process's.
   */
  Experiment members(Experiment experiment) {
    return config.ensembleExecutor().membersOf(experiment);
  }

  /** The members the strong audits of {@code pending} read: originals, retrains, and second retrains and twins as asked. */
  private static List<Ensemble.Member> ensembleMembers(Ensemble ensemble, List<Cell> pending) {
    boolean second = false;
    List<Unlearner> twins = new ArrayList<>();
    for (Cell cell : pending) {
      second |= cell.method().equals(SECOND_RETRAIN);
      if (cell.unlearner() != null && !cell.method().equals(Original.ID)) {
        twins.add(cell.unlearner());
      }
    }
    return ensemble.members(second, twins);
  }

  /** The per-example audits of {@code audited} (one member per shadow) against the ensemble's retrains. */
  private static EnsembleAudit.Measured strongAudit(
      Ensemble ensemble, Ensemble.MemberMargins[] audited, Progress progress) {
    Progress p = progress.child(ENSEMBLE);
    return EnsembleAudit.measure(ensemble, audited, ensemble.originals(p), ensemble.retrains(p));
  }

  /**
   * Writes the per-example values of {@code strong} (none without a strong audit) into the cell's outputs
   * directory and names it in the row's {@value PerExampleScores#ROW_FIELD}, before the row is committed.
   */
  private void keepPerExample(ObjectNode row, EnsembleAudit.Measured strong, Path outputs, Cell cell) {
    if (strong == null) {
      return;
    }
    ObjectNode about = Json.MAPPER.createObjectNode();
    about.put(Rows.CELL_KEY, cell.key());
    strong.scores().write(outputs, about);
    row.put(PerExampleScores.ROW_FIELD, config.out().relativize(outputs).toString());
  }

  /** A cell's place under the outputs and saved-models directories: scenario/method/seedS, file-name safe. */
  private static Path cellPath(String scenario, String method, long seed) {
    return Path.of(scenario.replaceAll("[^A-Za-z0-9._-]", "-"), method.replaceAll("[^A-Za-z0-9._+-]", "-"), "seed" + seed);
  }

  /** False when models are to be saved and this finished method cell's model is not saved (or is another). */
  private boolean saved(JsonNode done, Cell cell, String scenario, long seed) {
    if (flags.saveModels() == null || cell.unlearner() == null || Rows.isCollapsed(done)) {
      return true;
    }
    Path model = flags.saveModels().resolve(cellPath(scenario, cell.method(), seed));
    return dev.lethe.model.Checkpoints.exists(model)
        && cell.key().equals(dev.lethe.model.Checkpoints.metadata(model).path(Rows.CELL_KEY).asText());
  }

  /**
   * The grid's cells for one task and seed: RT, the second retrain, the original (the do-nothing bar, in every
   * grid whether named or not: every table shows it), then every other method that supports it.
   */
  private List<Cell> cells(Experiment experiment, ForgetTask task, ForgetSpec spec, Recipe recipe, long seed,
      Chain chain, int request) {
    List<Cell> cells = new ArrayList<>();
    TrainConfig training = experiment.training();
    cells.add(cell(experiment, task, Retrain.ID, null, training, seed, chain, request));
    cells.add(cell(experiment, task, SECOND_RETRAIN, null,
        new SecondRetrain(training, ScenarioRun.secondRetrainSeed(seed)), seed, chain, request));
    List<String> methods = new ArrayList<>(config.methods());
    if (!methods.contains(Original.ID)) {
      methods.add(0, Original.ID);
    }
    for (String m : methods) {
      // class-only methods (trw) have no cell in a random or id-list scenario
      if (m.equals(Retrain.ID) || !registry.get(m).supports(spec)) {
        continue;
      }
      Unlearner unlearner = registry.get(m).create(paramsFor(recipe, m));
      cells.add(cell(experiment, task, m, unlearner, unlearner.options(), seed, chain, request));
    }
    return cells;
  }

  /**
   * One cell; in a chain of deletion requests also keyed by the request, the request count and the whole forget
   * set (whose cut into requests, with the seed, fixes every earlier request's part).
   */
  private Cell cell(Experiment experiment, ForgetTask task, String method, Unlearner unlearner, Record options,
      long seed, Chain chain, int request) {
    JsonNode params = Json.MAPPER.valueToTree(OptionsBinder.values(options));
    ObjectNode cell = Rows.cell(experiment, task, method, params, seed);
    if (config.strongAudit()) {
      cell.set("strong_audit", Ensemble.describe(config.ensemble(), seed, task, members(experiment).threads()));
    }
    if (chain != null) {
      ObjectNode r = cell.putObject("requests");
      r.put("request", request);
      r.put("of", chain.requests().count());
      r.put("forget_ids", chain.requests().full().forgetIdsHash());
    }
    return new Cell(method, unlearner, options, cell, Rows.key(cell));
  }

  /**
   * The second retrain's options: the original's training recipe and its own training seed.
   *
   * @param training the recipe shared with the original and RT
   * @param trainingSeed the seed of its initialisation and batch order ({@link ScenarioRun#secondRetrainSeed})
   */
  public record SecondRetrain(TrainConfig training, long trainingSeed) {}

  /**
   * Finds the recipe {@code task}'s kind of request runs with, checks it against the evaluation seeds and
   * every method's parameters, and prints which recipe (or bare defaults) each method runs with.
   */
  private void findRecipe(ForgetTask task) {
    List<String> methods = recipe(task);
    System.err.println("lethe: " + Recipe.announcement(config.scenario(task.spec().text()), config.recipes(),
        recipes.get(task.spec().text()), methods, config.params().keySet()));
  }

  /**
   * Finds, checks and keeps the recipe {@code task}'s kind of request runs with (see {@link #findRecipe}) and
   * returns the methods that run on it.
   */
  private List<String> recipe(ForgetTask task) {
    ForgetSpec spec = task.spec();
    Recipe recipe = Recipe.forRequest(config.recipes(), config.dataset(), config.model(), Recipe.setup(config), task);
    if (recipe != null) {
      recipe.checkSeeds(config.seeds());
    }
    List<String> methods = new ArrayList<>();
    for (String m : config.methods()) {
      registry.get(m).create(paramsFor(recipe, m));
      if (!m.equals(Retrain.ID) && registry.get(m).supports(spec)) {
        methods.add(m);
      }
    }
    recipes.put(spec.text(), recipe);
    return methods;
  }

  private Map<String, String> paramsFor(Recipe recipe, String method) {
    return Recipe.params(recipe, registry.get(method), config.params().getOrDefault(method, Map.of()));
  }
}
