package dev.lethe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.train.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pending cells of one bench task (a scenario, or one request of a chain, at one seed) as work a {@link
 * CellExecutor} computes: here, or in another JVM from text that crosses a process boundary. The job text ({@link
 * #text}) holds everything that rebuilds the same task there ({@link #rebuild}): the grid, the store, output and
 * saved-models paths (absolute: they must be the same shared paths everywhere), the seed, the forget spec, the
 * request and the methods a chain has seen collapse so far. Each line names a cell (its method, then its key); its
 * answer is the cell's
 * finished row, which the runner that made the job commits. A cell is computed by the same code wherever it runs
 * ({@link #compute}), so its row, per-example outputs and saved model are those of a local run of the same
 * experiment (threads included, which every key names).
 *
 * <p>The original and the retrained reference are found in the store or trained on first need, by whichever
 * computation asks first (the store's per-artifact lock lets one JVM train each; the others then load it).
 */
public final class CellJob implements AutoCloseable {
  private final BenchmarkRunner runner;
  private final Experiment experiment;
  private final String scenario;
  private final ForgetTask task;
  private final BenchmarkRunner.Chain chain;
  private final int request;
  private final long seed;
  private final Recipe recipe;
  private final List<BenchmarkRunner.Cell> cells;
  private final List<String> lines;
  /** The originals of this seed by pool, shared with the runner's other tasks here, or this job's own. */
  private final Map<String, ArtifactStore.Artifact> originals;
  private final boolean ownsOriginals;
  private final Progress progress;
  private ScenarioRun run;
  private Ensemble ensemble;

  CellJob(BenchmarkRunner runner, Experiment experiment, String scenario, ForgetTask task, BenchmarkRunner.Chain chain,
      int request, long seed, Recipe recipe, List<BenchmarkRunner.Cell> cells, List<BenchmarkRunner.Cell> pending,
      Map<String, ArtifactStore.Artifact> originals, boolean ownsOriginals) {
    this.runner = runner;
    this.experiment = experiment;
    this.scenario = scenario;
    this.task = task;
    this.chain = chain;
    this.request = request;
    this.seed = seed;
    this.recipe = recipe;
    this.cells = List.copyOf(cells);
    this.lines = pending.stream().map(c -> c.method() + " " + c.key()).toList();
    this.originals = originals;
    this.ownsOriginals = ownsOriginals;
    this.progress = Progress.stderr(scenario + " seed " + seed);
  }

  /** Every pending cell as a line (its method, a space, its key), in grid order: the lines an executor computes. */
  public List<String> lines() {
    return lines;
  }

  /** The scenario these cells belong to ({@code fashion-mnist/mlp/random:20}, with its request in a chain). */
  public String scenario() {
    return scenario;
  }

  /** The evaluation seed of these cells. */
  public long seed() {
    return seed;
  }

  /** The method of the cell a {@link #lines} line names. */
  public static String method(String line) {
    return line.substring(0, line.lastIndexOf(' '));
  }

  /**
   * Computes the cell {@code line} names (with its strong audit, when the grid has one, from the ensemble members
   * in the store) and returns its finished row; a method that diverges is a collapsed row, not a failure.
   *
   * @throws LetheException if {@code line} is not a cell of this task (another grid, data or code made the job)
   */
  public ObjectNode compute(String line) {
    return runner.computeCell(this, cell(line));
  }

  /** As {@link #compute}, the row as one line of JSON text (an answer that crosses a process boundary). */
  public String answer(String line) {
    try {
      return Json.MAPPER.writeValueAsString(compute(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A finished row as an {@link #answer} carried it. */
  public static ObjectNode row(String answer) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(answer);
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException("unreadable cell answer " + answer, e);
    }
  }

  /** The job text: everything {@link #rebuild} needs to make this task's cells in another JVM. */
  public String text() {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.set("bench", runner.config().toJson());
    Path saveModels = runner.flags().saveModels();
    if (saveModels != null) {
      job.put("save_models", BenchConfig.absolute(saveModels));
    }
    job.put("threads", experiment.threads());
    job.put("seed", seed);
    job.put("forget", task.spec().text());
    if (chain != null) {
      job.put("forget", chain.requests().full().spec().text());
      job.put("request", request);
      job.set("collapsed_at", Json.MAPPER.valueToTree(chain.collapsedAt()));
    }
    return Json.canonicalText(job);
  }

  /**
   * The other side: the task {@code job} describes, rebuilt from the data files by name, with the cells of its
   * grid; trained with this JVM's threads, which must be the job's.
   *
   * @throws LetheException if the data does not load, or this JVM trains with other threads than the job's
   */
  public static CellJob rebuild(String job) {
    JsonNode j;
    BenchConfig config;
    Map<String, Integer> collapsedAt;
    try {
      j = Json.MAPPER.readTree(job);
      config = BenchConfig.fromJson(j.get("bench"));
      collapsedAt = j.has("collapsed_at")
          ? Json.MAPPER.convertValue(j.get("collapsed_at"), new TypeReference<Map<String, Integer>>() {})
          : new HashMap<>();
    } catch (IOException | RuntimeException e) {
      if (e instanceof LetheException le) {
        throw le;
      }
      throw new IllegalArgumentException("unreadable cell job " + job, e);
    }
    BenchmarkRunner runner = new BenchmarkRunner(config, new BenchmarkRunner.Flags(false, BenchConfig.path(j, "save_models")));
    return runner.rebuilt(j.get("threads").asInt(), j.get("seed").asLong(), ForgetSpec.parse(j.get("forget").asText()),
        j.path("request").asInt(0), new HashMap<>(collapsedAt));
  }

  /** Closes the originals this job loaded for itself (a runner's shared ones are the runner's to close). */
  @Override
  public void close() {
    if (ownsOriginals) {
      for (ArtifactStore.Artifact original : originals.values()) {
        original.network().close();
      }
      originals.clear();
    }
  }

  /** The experiment these cells are computed in (keyed by its threads). */
  Experiment experiment() {
    return experiment;
  }

  ForgetTask task() {
    return task;
  }

  BenchmarkRunner.Chain chain() {
    return chain;
  }

  int request() {
    return request;
  }

  Recipe recipe() {
    return recipe;
  }

  Progress progress() {
    return progress;
  }

  /** The seed's original: from the runner's other tasks, the store, or trained now. */
  ArtifactStore.Artifact original() {
    return originals.computeIfAbsent(experiment.splits().pool().contentHash(),
        pool -> experiment.original(seed, progress.child("original")));
  }

  /** The task with its retrained reference, trained or loaded on first need. */
  ScenarioRun run() {
    if (run == null) {
      run = new ScenarioRun(experiment, task, original().network(), progress);
    }
    return run;
  }

  /** The strong audit's ensemble of this task (one instance: it records its twins' divergences), or null. */
  Ensemble ensemble() {
    if (ensemble == null && runner.config().strongAudit()) {
      ensemble = new Ensemble(runner.members(experiment), task, runner.config().ensemble(), seed);
    }
    return ensemble;
  }

  private BenchmarkRunner.Cell cell(String line) {
    String key = line.substring(line.lastIndexOf(' ') + 1);
    for (BenchmarkRunner.Cell c : cells) {
      if (c.key().equals(key)) {
        return c;
      }
    }
    throw new LetheException("cell " + line + " is not one of " + scenario + " seed " + seed + " here: this JVM "
        + "rebuilt another grid than the driver's (the data, recipes and methods must load from the same paths, with "
        + "the same Lethe)");
  }
}
