package dev.lethe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the grid-running verbs (bench, tune): forget specs, methods, recipes, threads. */
public final class RunOptions {
  @Mixin ForgetOptions forget;

  @Option(names = "--methods", split = ",", description = "Methods to run, comma-separated (default: all registered but sisa and oracle-matching, which run when named).")
  List<String> methods = new ArrayList<>();

  /** The help of {@code --recipes}, shared by every verb that applies recipes. */
  static final String RECIPES_HELP =
      "Directory of tuned recipes, read with its immediate subdirectories (such as audit-preset/), or 'none'"
          + " (default: the recipes/ folder beside the lethe launcher).";

  /** The help of {@code --param}, shared by every verb that takes method options. */
  static final String PARAM_HELP = "Hyperparameter override method.key=value, repeatable (e.g. ga.lr=0.001, or in"
      + " full ga.sgd.lr=0.001; lethe methods lists every key); wins over the recipe.";

  @Option(names = "--recipes", description = RECIPES_HELP)
  String recipes;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores).")
  Integer threads;

  List<String> forgets() {
    return forget.forgets();
  }

  Path recipesDir() {
    return recipesDir(recipes);
  }

  /** The directory a {@code --recipes} value names: null for 'none', the launcher's recipes/ when absent. */
  static Path recipesDir(String option) {
    if ("none".equals(option)) {
      return null;
    }
    if (option != null) {
      return Path.of(option);
    }
    return Path.of(System.getProperty("lethe.home", ".")).resolve("recipes");
  }
}
