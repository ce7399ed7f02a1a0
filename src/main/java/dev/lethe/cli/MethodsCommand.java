package dev.lethe.cli;

import dev.lethe.data.ForgetSpec;
import dev.lethe.model.Network;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import dev.lethe.audit.Audit;
import dev.lethe.audit.perexample.PerExampleAudits;
import dev.lethe.experiment.EnsembleAudit;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lethe methods}: every method with its paper, batch augmentation and hyperparameters, or every metric's
 * definition.
 */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List every unlearning method with its paper, whether its training batches are augmented "
        + "(under the recipe's --augment) and why, and its hyperparameters (defaults); or --metrics.")
public final class MethodsCommand implements Callable<Integer> {
  @Mixin ExperimentOptions experiment;

  @Option(names = "--metrics", description = "List the audit metrics, per-example ones included, and their definitions "
      + "instead.")
  boolean metrics;

  @Override
  public Integer call() {
    if (metrics) {
      for (Map<String, String> definitions : List.of(Audit.DEFINITIONS, PerExampleAudits.DEFINITIONS,
          EnsembleAudit.DEFINITIONS)) {
        for (Map.Entry<String, String> e : definitions.entrySet()) {
          System.out.printf("%-24s %s%n", e.getKey(), e.getValue());
        }
      }
      return 0;
    }
    TrainConfig training = experiment.training();
    MethodRegistry registry = new MethodRegistry(training);
    for (MethodRegistry.Method m : registry.all()) {
      System.out.printf("%s — %s%n  paper: %s%n  batches: %s%n", m.id(), m.title(), m.paper(),
          m.batches().describe());
      if (!registry.optIn(m.id()).isEmpty()) {
        System.out.printf("  bench: %s%n", registry.optIn(m.id()));
      }
      Set<Network.Part> needs = m.create(Map.of()).needs();
      if (!needs.isEmpty()) {
        System.out.printf("  needs: %s%n", needs.stream().map(Network.Part::describe).sorted()
            .collect(Collectors.joining(" and ")));
      }
      if (!m.supports(ForgetSpec.fraction(0.1)) && m.supports(ForgetSpec.classes(0))) {
        System.out.printf("  forget sets: class: requests only%n");
      }
      if (!m.defaultsNote().isEmpty()) {
        System.out.printf("  note: %s%n", m.defaultsNote());
      }
      for (OptionsBinder.Param p : OptionsBinder.params(m.defaults())) {
        System.out.printf(
            "  --param %s.%s=%s%s%n", m.id(), p.key(), p.value(), p.doc().isEmpty() ? "" : "   " + p.doc());
      }
      System.out.println();
    }
    return 0;
  }
}
