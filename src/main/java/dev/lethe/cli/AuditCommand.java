package dev.lethe.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.Audit;
import dev.lethe.audit.AuditResult;
import dev.lethe.audit.RetrainReference;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lethe audit}: measures a model against the model retrained without the forget set. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Audit a model against the retrained reference (trained and cached if absent); prints the metrics as JSON.")
public final class AuditCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Checkpoint directory of the model to audit.")
  Path model;

  @Option(names = "--forget", description = "Forget spec (default: the one the model was unlearned with).")
  String forget;

  @Option(names = "--reference", description = "Checkpoint of the retrained reference (default: from the store, trained if missing).")
  Path reference;

  @Option(names = "--seed", description = "Seed of the forget draw and of the reference (default: the model's).")
  Long seed;

  @Mixin CheckpointOptions checkpoint;

  @Override
  public Integer call() {
    ModelInput input = checkpoint.open(model);
    String specText = forget != null ? forget : input.metadata().path("forget").asText(null);
    if (specText == null) {
      throw new LetheException("this model records no forget spec: pass --forget SPEC");
    }
    long s = seed != null ? seed : input.seed();
    Experiment experiment = input.experiment();
    ForgetTask task = experiment.task(ForgetSpec.parse(specText), s);
    try (Network candidate = Checkpoints.load(model)) {
      RetrainReference rt;
      if (reference != null) {
        try (Network given = Checkpoints.load(reference)) {
          rt = RetrainReference.of(experiment.logits(given, task), task);
        }
      } else {
        rt = experiment.reference(task, Progress.stderr("retrain")).rt();
      }
      AuditResult result = Audit.audit(experiment.logits(candidate, task), task, rt);
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("model", model.toString());
      out.put("forget", specText);
      out.put("seed", s);
      AuditResult.putMetrics(out.putObject("metrics"), result.metrics());
      AuditResult.putMetrics(out.putObject("retrain_metrics"), rt.result().metrics());
      System.out.println(out.toPrettyString());
    }
    return 0;
  }
}
