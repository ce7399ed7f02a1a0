package dev.lethe.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.SplitConfig;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.experiment.Json;
import dev.lethe.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A benchmark grid: one dataset and model, several forget specs, seeds and methods. Each (forget spec,
 * method, seed) is one cell of the results file; a scenario is (dataset, model, forget spec).
 *
 * @param dataset dataset name
 * @param dataDir where its files are, or null for the default location
 * @param model architecture name
 * @param width the architecture's base width
 * @param split how the training pool, validation and test splits are drawn (its seed is fixed across
 *     benchmark seeds, so every seed unlearns from the same pool)
 * @param training the recipe of the original and of the retrained reference
 * @param forgets forget specs, one scenario each
 * @param methods method ids to run ({@code retrain} is always audited first, as the reference)
 * @param seeds training / forget-draw / unlearning seeds
 * @param params per-method hyperparameter overrides
 * @param store artifact cache directory
 * @param out output directory for results.jsonl and summary.md
 * @param recipes directory of tuned recipes ({@code <dataset>-<model>-<forget>.json}), or null for none
 * @param ensemble shadows of the strong (per-example) audit's {@link dev.lethe.experiment.Ensemble}, or 0
 *     for none
 * @param requests how many deletion requests each forget set arrives as, one after another
 *     ({@link dev.lethe.data.DeletionRequests}); 1 for one request
 * @param ensembleExecutor where the ensemble's missing members are computed: in this process with its own threads
 *     ({@link EnsembleExecutor#IN_PROCESS}), in worker processes of one thread ({@code --workers N}, {@link
 *     dev.lethe.experiment.EnsembleWorkers#executor}) or on a Spark cluster ({@code lethe-spark})
 * @param cellExecutor where the grid's cells are computed: in this process ({@link CellExecutor#IN_PROCESS}) or on a
 *     Spark cluster's executors ({@code lethe-spark}), whose rows this process commits
 */
public record BenchConfig(
    String dataset,
    Path dataDir,
    String model,
    int width,
    SplitConfig split,
    TrainConfig training,
    List<String> forgets,
    List<String> methods,
    List<Long> seeds,
    Map<String, Map<String, String>> params,
    Path store,
    Path out,
    Path recipes,
    int ensemble,
    int requests,
    EnsembleExecutor ensembleExecutor,
    CellExecutor cellExecutor) {

  /** Validates the grid's shape. */
  public BenchConfig {
    if (forgets.isEmpty()) {
      throw new LetheException("no --forget spec given: pass at least one, e.g. --forget random:0.1");
    }
    if (methods.isEmpty()) {
      throw new LetheException("no methods selected: pass --methods, e.g. --methods ft,ga");
    }
    if (seeds.isEmpty()) {
      throw new LetheException("no seeds: pass --seeds N (N >= 1) or --seed S");
    }
    if (ensemble != 0) {
      Ensemble.checkSize(ensemble);
    }
    if (requests < 1) {
      throw new LetheException("--requests " + requests + ": pass at least 1 (1 = the whole forget set at once)");
    }
    if (requests > 1 && ensemble != 0) {
      throw new LetheException("--requests " + requests + " with --audit strong is not supported yet: the per-example"
          + " audits run on one request; drop one of them");
    }
    forgets = List.copyOf(forgets);
    methods = List.copyOf(methods);
    seeds = List.copyOf(seeds);
    params = Map.copyOf(params);
  }

  /** A grid whose cells are computed in this process, its ensemble's members (if any) by {@code ensembleExecutor}. */
  public BenchConfig(String dataset, Path dataDir, String model, int width, SplitConfig split, TrainConfig training,
      List<String> forgets, List<String> methods, List<Long> seeds, Map<String, Map<String, String>> params,
      Path store, Path out, Path recipes, int ensemble, int requests, EnsembleExecutor ensembleExecutor) {
    this(dataset, dataDir, model, width, split, training, forgets, methods, seeds, params, store, out, recipes, ensemble,
        requests, ensembleExecutor, CellExecutor.IN_PROCESS);
  }

  /** A grid whose ensemble (if any) is computed in this process. */
  public BenchConfig(String dataset, Path dataDir, String model, int width, SplitConfig split, TrainConfig training,
      List<String> forgets, List<String> methods, List<Long> seeds, Map<String, Map<String, String>> params,
      Path store, Path out, Path recipes, int ensemble, int requests) {
    this(dataset, dataDir, model, width, split, training, forgets, methods, seeds, params, store, out, recipes, ensemble,
        requests, EnsembleExecutor.IN_PROCESS);
  }

  /** A grid without the strong audit. */
  public BenchConfig(String dataset, Path dataDir, String model, int width, SplitConfig split, TrainConfig training,
      List<String> forgets, List<String> methods, List<Long> seeds, Map<String, Map<String, String>> params,
      Path store, Path out, Path recipes) {
    this(dataset, dataDir, model, width, split, training, forgets, methods, seeds, params, store, out, recipes, 0);
  }

  /** A grid of single requests. */
  public BenchConfig(String dataset, Path dataDir, String model, int width, SplitConfig split, TrainConfig training,
      List<String> forgets, List<String> methods, List<Long> seeds, Map<String, Map<String, String>> params,
      Path store, Path out, Path recipes, int ensemble) {
    this(dataset, dataDir, model, width, split, training, forgets, methods, seeds, params, store, out, recipes,
        ensemble, 1);
  }

  /** True when every cell also runs the per-example audits on an ensemble of {@link #ensemble} shadows. */
  public boolean strongAudit() {
    return ensemble > 0;
  }

  /** The scenario name of a forget spec, e.g. {@code fashion-mnist/cnn/random:0.1}. */
  public String scenario(String forget) {
    return dataset + "/" + model + "/" + forget;
  }

  /**
   * This grid as the JSON a job text carries to another JVM ({@link CellJob}, {@link TuningJob}), its paths made
   * absolute (they must be the same shared paths there); the executors are this process's own and are not carried.
   */
  ObjectNode toJson() {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("dataset", dataset);
    if (dataDir != null) {
      b.put("data_dir", absolute(dataDir));
    }
    b.put("model", model);
    b.put("width", width);
    b.set("split", Json.MAPPER.valueToTree(split));
    b.set("training", Json.MAPPER.valueToTree(training));
    b.set("forgets", Json.MAPPER.valueToTree(forgets));
    b.set("methods", Json.MAPPER.valueToTree(methods));
    b.set("seeds", Json.MAPPER.valueToTree(seeds));
    b.set("params", Json.MAPPER.valueToTree(params));
    b.put("store", absolute(store));
    b.put("out", absolute(out));
    if (recipes != null) {
      b.put("recipes", absolute(recipes));
    }
    b.put("ensemble", ensemble);
    b.put("requests", requests);
    return b;
  }

  /**
   * The grid {@link #toJson} wrote, computed in this process (the JVM that rebuilds a job computes its lines itself).
   *
   * @throws IllegalArgumentException if {@code b} is not such JSON
   */
  static BenchConfig fromJson(JsonNode b) {
    try {
      return new BenchConfig(b.get("dataset").asText(), path(b, "data_dir"), b.get("model").asText(),
          b.get("width").asInt(), Json.MAPPER.treeToValue(b.get("split"), SplitConfig.class),
          Json.MAPPER.treeToValue(b.get("training"), TrainConfig.class),
          Json.MAPPER.convertValue(b.get("forgets"), new TypeReference<List<String>>() {}),
          Json.MAPPER.convertValue(b.get("methods"), new TypeReference<List<String>>() {}),
          Json.MAPPER.convertValue(b.get("seeds"), new TypeReference<List<Long>>() {}),
          Json.MAPPER.convertValue(b.get("params"), new TypeReference<Map<String, Map<String, String>>>() {}),
          path(b, "store"), path(b, "out"), path(b, "recipes"), b.get("ensemble").asInt(), b.get("requests").asInt());
    } catch (IOException | RuntimeException e) {
      if (e instanceof LetheException le) {
        throw le;
      }
      throw new IllegalArgumentException("unreadable grid " + b, e);
    }
  }

  /** {@code p} absolute and normalised, as a job text names it. */
  static String absolute(Path p) {
    return p.toAbsolutePath().normalize().toString();
  }

  /** The path in {@code field} of {@code node}, or null when it has none. */
  static Path path(JsonNode node, String field) {
    return node.hasNonNull(field) ? Path.of(node.get(field).asText()) : null;
  }
}
