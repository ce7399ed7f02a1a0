package dev.lethe.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.bench.GroupedThroughput;
import dev.lethe.bench.Throughput;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.Provenance;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lethe throughput}: training and inference images/s of the configured model, medians of repeats; with
 * {@code --group G}, G members trained one by one against the same members trained as one grouped network.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Measure training and inference images/s (median of repeats) and resident memory; prints JSON.")
public final class ThroughputCommand implements Callable<Integer> {
  @Mixin ExperimentOptions experiment;

  @Option(names = "--repeats", defaultValue = "5", description = "Timed repeats after one warm-up (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--steps", defaultValue = "50", description = "Training steps per repeat (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores).")
  Integer threads;

  @Option(names = "--group", paramLabel = "G",
      description = "Instead, time G >= 2 cnn members trained one by one against the same G trained as one grouped"
          + " network (grouped convolutions, every member on its own batches); prints both and the speedup.")
  Integer group;

  @Override
  public Integer call() {
    Threads.apply(threads);
    if (repeats < 1 || steps < 1) {
      throw new LetheException("--repeats and --steps must be at least 1");
    }
    if (group != null && group < 2) {
      throw new LetheException("--group must be at least 2 (members trained as one network), got " + group
          + ": omit it to measure one network");
    }
    Experiment exp = experiment.experiment();
    ObjectNode out;
    if (group == null) {
      out = Json.MAPPER.valueToTree(Throughput.measure(
          exp.architecture(), exp.splits().pool(), exp.training(), repeats, steps, 1));
    } else {
      GroupedThroughput.Result r = GroupedThroughput.measure(
          exp.architecture(), group, exp.splits().pool(), exp.training(), repeats, steps, 1);
      out = Json.MAPPER.valueToTree(r);
      out.put("speedup", r.speedup());
    }
    out.set("spec", exp.fingerprint().get("spec"));
    out.set("training", Json.MAPPER.valueToTree(exp.training()));
    out.put("augment", exp.training().augment().id());
    out.put("threads", Provenance.threads());
    out.set("versions", Provenance.versions(Json.MAPPER));
    System.out.println(out.toPrettyString());
    return 0;
  }
}
