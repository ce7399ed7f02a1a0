package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.audit.ClassificationMetrics;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.Provenance;
import dev.lethe.bench.Recipe;
import dev.lethe.bench.ScenarioRun;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lethe forget}: unlearns a forget set from a trained model with one method. */
@Command(name = "forget", mixinStandardHelpOptions = true,
    description = "Unlearn a forget set from a model written by `lethe train`, with one method (its tuned recipe for"
        + " this kind of request, when recipes/ has one), and save the result.")
public final class ForgetCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Checkpoint directory of the original model.")
  Path model;

  @Option(names = "--forget", required = true, description = "Forget spec: random:0.1, random:600, class:Sandal, class:5, ids:FILE, backdoor:K, labelflip:K (a poisoned batch: the model must have been trained on the poisoned pool, e.g. saved by bench --save-models).")
  String forget;

  @Option(names = "--method", required = true, description = "Unlearning method id (see `lethe methods`).")
  String method;

  @Option(names = "--param", description = RunOptions.PARAM_HELP)
  List<String> params = new ArrayList<>();

  @Option(names = "--recipes", description = RunOptions.RECIPES_HELP)
  String recipes;

  @Option(names = "--seed", description = "Seed of the forget draw and of the method (default: the model's training seed).")
  Long seed;

  @Option(names = "--save", defaultValue = "lethe-out/unlearned", description = "Checkpoint directory to write (default: ${DEFAULT-VALUE}).")
  Path save;

  @Mixin CheckpointOptions checkpoint;

  @Override
  public Integer call() {
    ForgetSpec spec = ForgetSpec.parse(forget);
    ModelInput input = checkpoint.open(model);
    MethodRegistry registry = input.experiment().methods();
    Map<String, Map<String, String>> overrides = registry.parseOverrides(params);
    registry.get(method); // an unknown method fails before the data is read
    long s = seed != null ? seed : input.seed();
    ForgetTask task = input.experiment().task(spec, s);
    JsonNode trained = input.metadata().path("experiment");
    String dataset = trained.path("dataset").asText();
    String architecture = trained.path("model").asText();
    Path recipeDir = RunOptions.recipesDir(recipes);
    Recipe recipe = Recipe.forRequest(recipeDir, dataset, architecture, Recipe.setup(input.experiment()), task);
    MethodRegistry.Method chosen = registry.get(method);
    Unlearner unlearner = chosen.create(Recipe.params(recipe, chosen, overrides.getOrDefault(method, Map.of())));
    System.err.println("lethe: " + Recipe.announcement(dataset + "/" + architecture + "/" + spec.text(), recipeDir,
        recipe, List.of(method), overrides.keySet()));
    try (Network original = Checkpoints.load(model)) {
      // training-time work (SISA's shards on the whole pool) is not the request's cost
      ScenarioRun.Unlearned result =
          ScenarioRun.unlearn(input.experiment(), unlearner, original, task, s, Progress.stderr(method));
      try (Network unlearned = result.network()) {
        double seconds = result.seconds();
        ObjectNode meta = Json.MAPPER.createObjectNode();
        meta.set("experiment", input.metadata().path("experiment"));
        meta.put("seed", s);
        meta.put("forget", spec.text());
        meta.put("method", method);
        meta.set("params", Json.MAPPER.valueToTree(OptionsBinder.values(unlearner.options())));
        if (recipe != null && recipe.tunes(method)) {
          meta.put("recipe", recipe.file());
          meta.put("recipe_tuned_for", recipe.tunedFor());
        }
        meta.put("seconds", seconds);
        meta.set("work", Json.MAPPER.valueToTree(result.work()));
        meta.put("source", model.toAbsolutePath().toString());
        meta.set("versions", Provenance.versions(Json.MAPPER));
        Checkpoints.save(unlearned, save, meta);
        System.out.printf(Locale.ROOT,
            "%s on %s (%d forget / %d retain): forget accuracy %.2f%%, retain accuracy %.2f%%, test accuracy %.2f%%, %.1fs%nsaved to %s%n",
            method, spec.text(), task.forget().size(), task.retain().size(),
            accuracy(unlearned, task.forget()), accuracy(unlearned, task.retain()),
            accuracy(unlearned, task.test()), seconds, save);
      }
    }
    return 0;
  }

  private static double accuracy(Network net, dev.lethe.data.Dataset data) {
    return ClassificationMetrics.accuracyPercent(Prediction.logits(net, data), data.labels());
  }
}
