package dev.lethe.cli;

import dev.lethe.LetheException;
import dev.lethe.bench.BenchConfig;
import dev.lethe.bench.Tuner;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.method.Retrain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lethe tune}: grid search per method against RT; writes tuning.jsonl and recipe files. */
@Command(name = "tune", mixinStandardHelpOptions = true,
    description = "Grid-search each method's hyperparameters for the smallest Avg Gap to RT on tuning seeds, audited "
        + "on the validation split (never the test split); writes every configuration to tuning.jsonl and the "
        + "winners to recipes/<dataset>-<model>-<forget>.json (with --audit-preset, to recipes/"
        + ExperimentOptions.AUDIT_PRESET_RECIPES + "/).")
public final class TuneCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin ExperimentOptions experiment;

  @Mixin RunOptions run;

  @Option(names = "--grid", description = "Grid axis method.key=v1,v2,..., repeatable (e.g."
      + " sfr-on.forgetAlpha=10,25,50 or ft.sgd.lr=0.01,0.1; keys as for --param).")
  List<String> grids = new ArrayList<>();

  @Option(names = "--tuning-seed", defaultValue = "1000",
      description = "Seed of the tuning run; must not be an evaluation seed of the bench (default: ${DEFAULT-VALUE}).")
  long tuningSeed;

  @Option(names = "--tuning-seeds", defaultValue = "1",
      description = "Tune on N seeds (--tuning-seed, +1, ...); a point that collapses on any of them loses (default: ${DEFAULT-VALUE}).")
  int tuningSeeds;

  @Option(names = "--max-configs", defaultValue = "64", description = "Refuse larger grids unless --force (default: ${DEFAULT-VALUE}).")
  int maxConfigs;

  @Option(names = "--force", description = "Run a grid larger than --max-configs.")
  boolean force;

  @Option(names = "--audit-preset",
      description = "Tune at the audit preset of bench --audit strong (" + ExperimentOptions.AUDIT_PRESET + ", each "
          + "unless given) and write the recipes to the " + ExperimentOptions.AUDIT_PRESET_RECIPES + "/ subdirectory of "
          + "--recipes, where bench --audit strong finds them.")
  boolean auditPreset;

  @Option(names = "--out", defaultValue = "lethe-tune", description = "Output directory for tuning.jsonl (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() {
    Threads.apply(run.threads);
    BenchConfig config = config();
    new Tuner(config, grids, maxConfigs, force).run();
    System.out.println("tuning results: " + out.resolve(Tuner.RESULTS) + "  recipes: " + config.recipes());
    return 0;
  }

  /**
   * The tuning run these options describe; under {@code --audit-preset}, at the audit preset (said on stderr)
   * and with the recipes going to its subdirectory of {@code --recipes}.
   */
  BenchConfig config() {
    if (run.recipesDir() == null) {
      throw new LetheException("tuning writes recipes: pass --recipes DIR, not 'none'");
    }
    if (tuningSeeds < 1) {
      throw new LetheException("--tuning-seeds must be at least 1, got " + tuningSeeds);
    }
    if (auditPreset) {
      experiment.useAuditPreset("--audit-preset");
    }
    MethodRegistry registry = new MethodRegistry(experiment.training());
    List<String> methods = new ArrayList<>(run.methods.isEmpty() ? registry.defaultIds() : run.methods);
    methods.remove(Retrain.ID);
    if (methods.isEmpty()) {
      throw new LetheException("nothing to tune: pass --methods with at least one method besides retrain");
    }
    List<Long> seeds = new ArrayList<>();
    for (int i = 0; i < tuningSeeds; i++) {
      seeds.add(tuningSeed + i);
    }
    Path recipes = auditPreset ? run.recipesDir().resolve(ExperimentOptions.AUDIT_PRESET_RECIPES) : run.recipesDir();
    return new BenchConfig(
        experiment.dataset, experiment.dataDir, experiment.model, experiment.width(), experiment.split(),
        experiment.training(), run.forgets(), methods, seeds, Map.of(), experiment.storeRoot(),
        out, recipes, 0, 1, EnsembleExecutor.IN_PROCESS, main.cellExecutor());
  }
}
