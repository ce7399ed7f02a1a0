package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.bench.BenchConfig;
import dev.lethe.bench.BenchmarkRunner;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.report.Report;
import dev.lethe.report.Summary;
import dev.lethe.unlearn.MethodRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lethe bench}: runs the benchmark grid, resumably, prints the summary tables and writes the HTML report. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Run the benchmark grid (forget specs x methods x seeds); resumable; writes results.jsonl, summary.md and report.html.")
public final class BenchCommand implements Callable<Integer> {
  @Mixin ExperimentOptions experiment;

  @Mixin RunOptions run;

  @Mixin SeedOptions seeds;

  @Option(names = "--param", description = RunOptions.PARAM_HELP)
  List<String> params = new ArrayList<>();

  @Option(names = "--out", defaultValue = "lethe-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--retry-failed",
      description = "Recompute cells that collapsed (diverged) in an earlier run instead of keeping them.")
  boolean retryFailed;

  @Option(names = "--save-models", paramLabel = "DIR",
      description = "Save every unlearned model (checkpoint + JSON provenance) under DIR/<scenario>/<method>/seed<S>.")
  Path saveModels;

  @Option(names = "--audit", paramLabel = "LEVEL",
      description = "strong: also run the per-example audits (KLoM, U-LiRA, LiRA, RMIA, forget quality) on an ensemble "
          + "of shadow models, with floor (retrain-2) and ceiling (original); uses the audit preset ("
          + ExperimentOptions.AUDIT_PRESET + ") for each of those options not given, and so the recipes tuned at it,"
          + " which `lethe tune --audit-preset` writes to the " + ExperimentOptions.AUDIT_PRESET_RECIPES
          + "/ subdirectory of --recipes (default: the population audit only).")
  String audit;

  @Option(names = "--ensemble", paramLabel = "M",
      description = "Shadow models of --audit strong: even, at least " + Ensemble.MIN_SIZE + " (default: "
          + DEFAULT_ENSEMBLE + ").")
  Integer ensemble;

  @Option(names = "--requests", paramLabel = "K", defaultValue = "1",
      description = "Split each forget set into K deletion requests served one after another, each on the previous "
          + "result (sisa: from its slice checkpoints) and audited against the exact retrain without everything forgotten "
          + "so far; the summary adds each method's Avg Gap, TA and cost per request (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--workers", paramLabel = "N",
      description = "Worker processes that train the missing ensemble members of --audit strong in parallel, each a JVM "
          + "with one PyTorch thread; members are keyed by the thread count that trained them, so --workers 1 (this "
          + "process, --threads threads) shares them only when --threads is 1 (default: the number of cores).")
  Integer workers;

  /** Shadows of {@code --audit strong} when {@code --ensemble} is not given. */
  static final int DEFAULT_ENSEMBLE = 16;

  @ParentCommand Main main;

  @Override
  public Integer call() {
    EnsembleExecutor members = main.ensembleExecutor(workers);
    int shadows = 0;
    if (audit != null) {
      if (!audit.equals("strong")) {
        throw new LetheException("--audit " + audit + " is not a level: the only one is strong (omit --audit for the "
            + "population audit alone)");
      }
      shadows = ensemble == null ? DEFAULT_ENSEMBLE : ensemble;
      Ensemble.checkSize(shadows);
      experiment.useAuditPreset("--audit strong");
    } else if (ensemble != null) {
      throw new LetheException("--ensemble sizes the ensemble of --audit strong: add --audit strong, or drop --ensemble");
    } else if (workers != null) {
      throw new LetheException("--workers trains the ensemble of --audit strong: add --audit strong, or drop --workers");
    }
    Threads.apply(run.threads);
    List<Long> seedList = seeds.seeds();
    MethodRegistry registry = new MethodRegistry(experiment.training());
    List<String> chosen = run.methods.isEmpty() ? registry.defaultIds() : run.methods;
    BenchConfig config =
        new BenchConfig(
            experiment.dataset, experiment.dataDir, experiment.model, experiment.width(),
            experiment.split(), experiment.training(),
            run.forgets(), chosen, seedList, registry.parseOverrides(params), experiment.storeRoot(), out,
            run.recipesDir(), shadows, requests, members, main.cellExecutor());
    List<JsonNode> rows = new BenchmarkRunner(config, new BenchmarkRunner.Flags(retryFailed, saveModels)).run();
    // the report is derived from this run's rows, like summary.md; tune's scores are found when tune shared --out
    Path report = Report.write(out, rows, new Report.Sources(config.recipes(), out));
    System.out.println(Summary.markdown(rows));
    System.out.println("results: " + out.resolve(BenchmarkRunner.RESULTS) + "  summary: " + out.resolve(BenchmarkRunner.SUMMARY)
        + "  report: " + report);
    return 0;
  }
}
