package dev.lethe.bench;

import dev.lethe.LetheException;
import dev.lethe.data.SplitConfig;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.train.TrainConfig;
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
}
