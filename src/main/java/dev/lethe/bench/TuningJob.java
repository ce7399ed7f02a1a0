package dev.lethe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.Unlearner;
import dev.lethe.unlearn.method.Original;
import dev.lethe.unlearn.method.Retrain;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cells of one tuning scenario ({@link Tuner}) as work a {@link CellExecutor} computes: here, or in another
 * JVM from text that crosses a process boundary, as {@link CellJob} is a bench task's. A cell is one tuning seed's
 * RT row, its do-nothing row, or one grid point of one method on one tuning seed, audited on the validation split;
 * its line is its content key, a space and a label ({@code sfr-on forgetAlpha=200 forgetFreq=5 seed 1000}); its
 * answer is the finished row, which the tuner that made the job commits to {@code tuning.jsonl}. The job text
 * ({@link #text}) holds the grid (as {@link BenchConfig#toJson}), the {@code --grid} axes, the forget spec and the
 * threads the cells are keyed by; a rebuilt job ({@link #rebuild}) computes each cell with the same code, so a cell
 * computed on a cluster's executor is the cell a local {@code lethe tune} of those threads computes.
 *
 * <p>Each tuning seed's original and retrained reference are found in the store or trained on first need, by
 * whichever computation asks first (the store's per-artifact lock lets one JVM train each; the others load it).
 */
public final class TuningJob implements AutoCloseable {
  private final Tuner tuner;
  private final Experiment experiment;
  private final ForgetSpec spec;
  private final String scenario;
  private final Map<String, Cell> cells = new LinkedHashMap<>();
  private final List<String> lines = new ArrayList<>();
  private final Map<Long, ArtifactStore.Artifact> originals = new LinkedHashMap<>();
  private final Map<Long, ScenarioRun> runs = new LinkedHashMap<>();
  private final Map<Long, ForgetTask> tasks = new LinkedHashMap<>();
  private final Progress progress;

  /**
   * One cell: a tuning seed's RT or do-nothing row (an empty point, no grid), or a method's grid point there.
   *
   * @param method the method id ({@code retrain} for RT's row)
   * @param point the grid point (empty for RT, the do-nothing row and a method without a grid)
   * @param seed the tuning seed
   * @param unlearner the configured method (null for RT)
   * @param key the cell's content key ({@link Rows#cell})
   */
  record Cell(String method, Map<String, String> point, long seed, Unlearner unlearner, String key) {
    /** True for a method's grid point (its row records {@code grid_point}), false for RT and the do-nothing row. */
    boolean tuned() {
      return unlearner != null && !method.equals(Original.ID);
    }

    String label() {
      StringBuilder s = new StringBuilder(method);
      point.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
      return s.append(" seed ").append(seed).toString();
    }
  }

  /**
   * The cells of {@code spec} in {@code experiment} for {@code tuner}'s seeds and grids, in the tuner's order (each
   * seed's RT and do-nothing rows, then every method's points, each on every seed); those whose key {@code done}
   * holds are not among the {@link #lines}.
   */
  TuningJob(Tuner tuner, Experiment experiment, ForgetSpec spec, java.util.function.Predicate<String> done) {
    this.tuner = tuner;
    this.experiment = experiment;
    this.spec = spec;
    this.scenario = tuner.config().scenario(spec.text());
    this.progress = Progress.stderr("tune " + spec.text() + " seeds " + tuner.config().seeds());
    Unlearner doNothing = tuner.registry().get(Original.ID).create(Map.of());
    for (long seed : tuner.config().seeds()) {
      add(new Cell(Retrain.ID, Map.of(), seed, null,
          key(seed, Retrain.ID, Json.MAPPER.valueToTree(OptionsBinder.values(experiment.training())))), done);
      add(cell(Original.ID, Map.of(), seed, doNothing), done);
    }
    for (Map.Entry<String, List<Map<String, String>>> e : tuner.points().entrySet()) {
      if (!tuner.registry().get(e.getKey()).supports(spec)) {
        continue;
      }
      for (Map<String, String> point : e.getValue()) {
        Unlearner unlearner = tuner.registry().get(e.getKey()).create(point);
        for (long seed : tuner.config().seeds()) {
          add(cell(e.getKey(), point, seed, unlearner), done);
        }
      }
    }
  }

  private Cell cell(String method, Map<String, String> point, long seed, Unlearner unlearner) {
    return new Cell(method, point, seed, unlearner,
        key(seed, method, Json.MAPPER.valueToTree(OptionsBinder.values(unlearner.options()))));
  }

  private String key(long seed, String method, JsonNode params) {
    return Rows.key(Rows.cell(experiment, task(seed), method, params, seed));
  }

  private void add(Cell cell, java.util.function.Predicate<String> done) {
    cells.put(cell.key(), cell);
    if (!done.test(cell.key())) {
      lines.add(cell.key() + " " + cell.label());
    }
  }

  /** Every pending cell as a line (its key, a space, its label), in the tuner's order: the lines an executor computes. */
  public List<String> lines() {
    return lines;
  }

  /** The scenario of these cells ({@code fashion-mnist/cnn/class:Sandal}). */
  public String scenario() {
    return scenario;
  }

  /** What a {@link #lines} line computes: {@code sfr-on forgetAlpha=200 forgetFreq=5 seed 1000}. */
  public static String label(String line) {
    return line.substring(line.indexOf(' ') + 1);
  }

  /** Every cell of the scenario, pending or not, in the tuner's order. */
  List<Cell> cells() {
    return List.copyOf(cells.values());
  }

  /**
   * Computes the cell {@code line} names and returns its finished row (held out on validation; a method that
   * diverges is a collapsed row, not a failure).
   *
   * @throws LetheException if {@code line} is not a cell of this scenario (another grid, data or code made the job)
   */
  public ObjectNode compute(String line) {
    Cell c = cells.get(line.substring(0, line.indexOf(' ')));
    if (c == null) {
      throw new LetheException("tuning cell " + label(line) + " is not one of " + scenario + " here: this JVM rebuilt"
          + " another grid than the driver's (the data and methods must load from the same paths, with the same Lethe)");
    }
    BenchConfig config = tuner.config();
    ScenarioRun run = run(c.seed());
    ObjectNode row;
    if (c.unlearner() == null) {
      row = Rows.of(config.dataset(), config.model(), scenario, experiment, run.task(), Retrain.ID,
          experiment.training(), c.seed(), run.retrainMetrics(), run.retrainReused(), null);
    } else {
      if (c.tuned()) {
        progress.note("tuning " + c.label());
      }
      ScenarioRun.Evaluation evaluation = run.evaluate(c.unlearner(), c.seed(), progress);
      row = Rows.of(config.dataset(), config.model(), scenario, experiment, run.task(), c.method(),
          c.unlearner().options(), c.seed(), evaluation.metrics(), false, null);
      if (evaluation.collapsed()) {
        Rows.collapsed(row, evaluation.collapseStep(), evaluation.collapseReason());
      }
      if (c.tuned()) {
        row.set("grid_point", Json.MAPPER.valueToTree(c.point()));
      }
    }
    row.put("held_out", Tuner.HELD_OUT);
    return row;
  }

  /** As {@link #compute}, the row as one line of JSON text (an answer that crosses a process boundary). */
  public String answer(String line) {
    try {
      return Json.MAPPER.writeValueAsString(compute(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The job text: everything {@link #rebuild} needs to make this scenario's cells in another JVM. */
  public String text() {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.set("bench", tuner.config().toJson());
    job.set("grids", Json.MAPPER.valueToTree(tuner.gridArgs()));
    job.put("threads", experiment.threads());
    job.put("forget", spec.text());
    return Json.canonicalText(job);
  }

  /**
   * The other side: the scenario {@code job} describes, rebuilt from the data files by name, with every cell of its
   * grid; trained with this JVM's threads, which must be the job's.
   *
   * @throws LetheException if the data does not load, or this JVM trains with other threads than the job's
   */
  public static TuningJob rebuild(String job) {
    JsonNode j;
    BenchConfig config;
    List<String> grids;
    try {
      j = Json.MAPPER.readTree(job);
      config = BenchConfig.fromJson(j.get("bench"));
      grids = Json.MAPPER.convertValue(j.get("grids"), new TypeReference<List<String>>() {});
    } catch (IOException | RuntimeException e) {
      if (e instanceof LetheException le) {
        throw le;
      }
      throw new IllegalArgumentException("unreadable tuning job " + job, e);
    }
    Tuner tuner = new Tuner(config, grids, Integer.MAX_VALUE, true);
    Experiment experiment = BenchmarkRunner.experimentOfThreads(config, j.get("threads").asInt());
    return new TuningJob(tuner, experiment, ForgetSpec.parse(j.get("forget").asText()), key -> true);
  }

  /** Closes the originals this job loaded. */
  @Override
  public void close() {
    for (ArtifactStore.Artifact original : originals.values()) {
      original.network().close();
    }
    originals.clear();
    runs.clear();
  }

  private ForgetTask task(long seed) {
    return tasks.computeIfAbsent(seed, s -> experiment.task(spec, s).heldOutAsValidation());
  }

  /** The tuning seed's task with its original and retrained reference, trained or loaded on first need. */
  private ScenarioRun run(long seed) {
    return runs.computeIfAbsent(seed, s -> {
      ArtifactStore.Artifact original =
          originals.computeIfAbsent(s, x -> experiment.original(x, progress.child("original " + x)));
      return new ScenarioRun(experiment, task(s), original.network(), progress);
    });
  }
}
