package dev.lethe.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.Audit;
import dev.lethe.audit.SplitLogits;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Json;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import java.nio.file.Path;
import java.util.Map;
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
    ForgetTask task = input.experiment().task(ForgetSpec.parse(specText), s);
    try (Network candidate = Checkpoints.load(model);
        Network rt = reference != null
            ? Checkpoints.load(reference)
            : input.experiment().retrained(task, s, Progress.stderr("retrain")).network()) {
      SplitLogits rtLogits = SplitLogits.of(rt, task);
      Map<String, Double> rtMetrics = Audit.measure(rtLogits, task, rtLogits);
      Map<String, Double> metrics = Audit.measure(SplitLogits.of(candidate, task), task, rtLogits);
      metrics.put("avg_gap", Audit.avgGap(metrics, rtMetrics));
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("model", model.toString());
      out.put("forget", specText);
      out.put("seed", s);
      Json.putMetrics(out.putObject("metrics"), metrics);
      Json.putMetrics(out.putObject("retrain_metrics"), rtMetrics);
      System.out.println(out.toPrettyString());
    }
    return 0;
  }
}
