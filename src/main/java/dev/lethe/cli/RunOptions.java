package dev.lethe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the grid-running verbs (bench, tune): forget specs, methods, recipes, threads. */
public final class RunOptions {
  @Mixin ForgetOptions forget;

  @Option(names = "--methods", split = ",", description = "Methods to run, comma-separated (default: all registered).")
  List<String> methods = new ArrayList<>();

  @Option(names = "--recipes", description = "Directory of tuned recipes, or 'none' (default: the recipes/ folder beside the lethe launcher).")
  String recipes;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores).")
  Integer threads;

  List<String> forgets() {
    return forget.forgets();
  }

  Path recipesDir() {
    if ("none".equals(recipes)) {
      return null;
    }
    if (recipes != null) {
      return Path.of(recipes);
    }
    return Path.of(System.getProperty("lethe.home", ".")).resolve("recipes");
  }
}
