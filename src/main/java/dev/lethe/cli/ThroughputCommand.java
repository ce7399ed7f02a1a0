package dev.lethe.cli;

import dev.lethe.LetheException;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.bench.Throughput;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lethe throughput}: training and inference images/s of the configured model, medians of repeats. */
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

  @Override
  public Integer call() {
    Threads.apply(threads);
    if (repeats < 1 || steps < 1) {
      throw new LetheException("--repeats and --steps must be at least 1");
    }
    Experiment exp = experiment.experiment();
    Throughput.Result r = Throughput.measure(
        exp.architecture(), exp.splits().pool(), exp.training(), repeats, steps, 1);
    var out = Json.MAPPER.valueToTree(r);
    ((com.fasterxml.jackson.databind.node.ObjectNode) out).set("spec", exp.fingerprint().get("spec"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) out).put("augment", exp.training().augment().id());
    ((com.fasterxml.jackson.databind.node.ObjectNode) out).put("threads",
        Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    System.out.println(out.toPrettyString());
    return 0;
  }
}
