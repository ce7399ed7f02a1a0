package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.Audit;
import dev.lethe.audit.AuditResult;
import dev.lethe.audit.RetrainReference;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.Ensemble.MemberMargins;
import dev.lethe.experiment.EnsembleAudit;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lethe audit}: measures a model against the model retrained without the forget set; with
 * {@code --strong}, also the single-model membership attacks (offline LiRA and RMIA) against shadow models
 * that never trained on each example, for the model and for the retrained reference.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Audit a model against the retrained reference (trained and cached if absent); prints the metrics as JSON.")
public final class AuditCommand implements Callable<Integer> {
  /** The experiment fields a reference must share with the model for the strong audit to compare them. */
  private static final List<String> SAME_EXPERIMENT = List.of("dataset", "model", "width", "split", "training", "pool_hash");

  @Option(names = "--model", required = true, description = "Checkpoint directory of the model to audit.")
  Path model;

  @Option(names = "--forget", description = "Forget spec (default: the one the model was unlearned with).")
  String forget;

  @Option(names = "--reference", description = "Checkpoint of the retrained reference (default: from the store, trained if missing).")
  Path reference;

  @Option(names = "--seed", description = "Seed of the forget draw and of the reference (default: the model's).")
  Long seed;

  @Option(names = "--strong",
      description = "Also run the single-model attacks (offline LiRA and RMIA: AUC, TPR at 1% and 0.1% FPR of telling the "
          + "forget examples from test examples) against an ensemble of shadow models, each trained (or loaded) on a "
          + "half of the model's own pool with its recipe, for the model and for the retrained reference, and their "
          + "difference (keys _retrain and _delta). The shadows are those of `lethe bench --audit strong` on the same "
          + "experiment, forget spec and seed.")
  boolean strong;

  @Option(names = "--ensemble", paramLabel = "M",
      description = "Shadow models of --strong: even, at least " + Ensemble.MIN_ATTACK_SIZE + " (default: "
          + BenchCommand.DEFAULT_ENSEMBLE + ").")
  Integer ensemble;

  @Option(names = "--workers", paramLabel = "N",
      description = "Worker processes that train the missing shadow models of --strong in parallel, each a JVM with one "
          + "PyTorch thread (as `lethe bench --workers`, whose shadows they share; default: the number of cores).")
  Integer workers;

  @Mixin CheckpointOptions checkpoint;

  @ParentCommand Main main;

  @Override
  public Integer call() {
    EnsembleExecutor members = main.ensembleExecutor(workers);
    int shadows = 0;
    if (strong) {
      shadows = ensemble == null ? BenchCommand.DEFAULT_ENSEMBLE : ensemble;
      Ensemble.checkAttackSize(shadows);
    } else if (ensemble != null) {
      throw new LetheException("--ensemble sizes the ensemble of --strong: add --strong, or drop --ensemble");
    } else if (workers != null) {
      throw new LetheException("--workers trains the shadows of --strong: add --strong, or drop --workers");
    }
    ModelInput input = checkpoint.open(model);
    String specText = forget != null ? forget : input.metadata().path("forget").asText(null);
    if (specText == null) {
      throw new LetheException("this model records no forget spec: pass --forget SPEC");
    }
    long s = seed != null ? seed : input.seed();
    Experiment experiment = input.experiment();
    ForgetTask task = experiment.task(ForgetSpec.parse(specText), s);
    if (strong && reference != null) {
      requireSameExperiment(input.metadata(), reference);
    }
    // a target set no shadow's half can share fails here, before anything is trained
    Ensemble shadowEnsemble = strong
        ? new Ensemble(members.membersOf(experiment), task, shadows, s) : null;
    try (Network candidate = Checkpoints.load(model)) {
      RetrainReference rt;
      MemberMargins rtMargins = null;
      if (reference != null) {
        try (Network given = Checkpoints.load(reference)) {
          rt = RetrainReference.of(experiment.logits(given, task), task);
          if (strong) {
            rtMargins = MemberMargins.predict(given, experiment.splits());
          }
        }
      } else {
        rt = experiment.reference(task, Progress.stderr("retrain")).rt();
        if (strong) {
          rtMargins = MemberMargins.of(experiment.store(),
              experiment.retrained(task, task.seed(), Progress.silent()), experiment.splits());
        }
      }
      AuditResult result = Audit.audit(experiment.logits(candidate, task), task, rt);
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("model", model.toString());
      out.put("forget", specText);
      out.put("seed", s);
      ObjectNode metrics = out.putObject("metrics");
      ObjectNode retrainMetrics = out.putObject("retrain_metrics");
      AuditResult.putMetrics(metrics, result.metrics());
      AuditResult.putMetrics(retrainMetrics, rt.result().metrics());
      if (strong) {
        Progress progress = Progress.stderr("ensemble");
        members.computeOriginals(shadowEnsemble, progress::note);
        MemberMargins[] originals = shadowEnsemble.originals(progress);
        MemberMargins audited = MemberMargins.predict(candidate, experiment.splits());
        AuditResult.putMetrics(metrics, EnsembleAudit.measureModel(shadowEnsemble, audited, rtMargins, originals));
        // the reference's own row, as bench's RT row: its attack values, _retrain the same, _delta 0
        AuditResult.putMetrics(retrainMetrics, EnsembleAudit.measureModel(shadowEnsemble, rtMargins, rtMargins, originals));
        out.set("ensemble", shadowEnsemble.describe());
      }
      System.out.println(out.toPrettyString());
    }
    return 0;
  }

  /**
   * Refuses a reference from another experiment (data, split, architecture or recipe): the shadows are trained
   * in the model's, so the reference's attack values would not be the ones retraining gets there.
   */
  private static void requireSameExperiment(JsonNode modelMeta, Path reference) {
    JsonNode theirs = Checkpoints.metadata(reference).path("experiment");
    JsonNode ours = modelMeta.path("experiment");
    for (String field : SAME_EXPERIMENT) {
      List<String> diffs = Json.differences(ours.get(field), theirs.get(field));
      if (!diffs.isEmpty()) {
        String shown = diffs.get(0).isBlank() ? "" : " (" + diffs.get(0).strip() + ")";
        throw new LetheException("the reference " + reference + " was trained in another experiment than the model: its "
            + field + " differs" + shown + "; --strong compares both against shadows of the model's experiment, so pass "
            + "a reference retrained there, or omit --reference to retrain it");
      }
    }
  }
}
