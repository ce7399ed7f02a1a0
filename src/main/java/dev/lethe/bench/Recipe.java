package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.unlearn.MethodRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A tuned recipe: for one dataset, model and forget spec, each method's winning hyperparameters (selected by
 * {@link Tuner} on the validation split and on tuning seeds that are not evaluation seeds), with the grids
 * that produced them. Written by {@code lethe tune} to {@code recipes/<dataset>-<model>-<forget>.json} (a
 * recipe tuned under another setup, such as the audit preset, to a subdirectory: {@code recipes/audit-preset/…});
 * read by {@code lethe bench} and {@code lethe forget} through {@link #forRequest}, which applies recipes by kind
 * of request (a random fraction, a class), so a request nobody tuned for exactly still gets a tuned recipe.
 */
public final class Recipe {
  /** The {@code selected_on} value of recipes selected on the validation split. */
  public static final String SELECTED_ON_VALIDATION = "validation";

  private final Path file;
  /** The path relative to the recipes directory, {@code /}-separated: what rows and announcements name. */
  private final String name;
  private final JsonNode json;
  private final ForgetSpec tunedFor;

  private Recipe(Path file, String name, JsonNode json, ForgetSpec tunedFor) {
    this.file = file;
    this.name = name;
    this.json = json;
    this.tunedFor = tunedFor;
  }

  /** The file a recipe for this scenario lives in, inside {@code dir}. */
  public static Path fileFor(Path dir, String dataset, String model, String forget) {
    return dir.resolve(fileName(dataset, model, ForgetSpec.parse(forget)));
  }

  private static String fileName(String dataset, String model, ForgetSpec forget) {
    return ForgetSpec.fileSafe(dataset + "-" + model + "-" + forget.text()) + ".json";
  }

  /**
   * The recipe {@code task} runs with, among the recipes in {@code dir} (null: none) and in its immediate
   * subdirectories for this dataset and model that were tuned under {@code setup} (width, split and training
   * recipe):
   *
   * <ol>
   *   <li>the recipe tuned for exactly this forget spec, if there is one;
   *   <li>for a {@code class:} request, a class recipe: the one for the same class if present, else the first
   *       by path relative to {@code dir};
   *   <li>for an {@code ids:} or {@code random:} request (fraction or count), the {@code random:} recipe whose
   *       forget fraction (forget-set size / pool size; a count is divided by the pool size) is nearest to the
   *       request's in log scale, ties to the smaller fraction.
   * </ol>
   *
   * <p>Null when none fits, and method defaults apply; a note on stderr says so when recipes of the right
   * kind exist but none in any folder was tuned under this setup. A recipe not selected on the validation split
   * (written before selection moved there) still applies, with a note to retune it. A file that is not a recipe,
   * or whose content does not match its name, is a one-line error, and so are two recipes of this setup for the
   * same forget spec (in different folders).
   */
  public static Recipe forRequest(Path dir, String dataset, String model, JsonNode setup, ForgetTask task) {
    if (dir == null || !Files.isDirectory(dir)) {
      return null;
    }
    ForgetSpec request = task.spec();
    List<Recipe> fitting = new ArrayList<>();
    for (Recipe r : all(dir, dataset, model)) {
      if (r.tunedFor.text().equals(request.text()) || sameKind(r.tunedFor, request)) {
        fitting.add(r);
      }
    }
    List<Recipe> usable = fitting.stream().filter(r -> r.sameSetup(setup)).toList();
    if (usable.isEmpty()) {
      if (!fitting.isEmpty()) {
        System.err.println("lethe: note: " + String.join(", ", fitting.stream().map(r -> r.file.toString()).toList())
            + " fit " + request.text() + " but were tuned for another width, split or training recipe; using method"
            + " defaults (retune with `lethe tune` for this configuration)");
      }
      return null;
    }
    checkUnambiguous(usable);
    Recipe chosen = choose(usable, task);
    if (!chosen.selectedOnValidation()) {
      System.err.println("lethe: note: recipe " + chosen.file + " was selected on the test split (before selection"
          + " moved to the validation split): retune it with `lethe tune`");
    }
    return chosen;
  }

  /** Refuses two recipes for the same forget spec among {@code usable} (all tuned under the same setup). */
  private static void checkUnambiguous(List<Recipe> usable) {
    Map<String, Recipe> bySpec = new HashMap<>();
    for (Recipe r : usable) {
      Recipe other = bySpec.putIfAbsent(r.tunedFor.text(), r);
      if (other != null) {
        throw new LetheException("recipes " + other.file + " and " + r.file + " are both tuned for "
            + r.tunedFor.text() + " under this width, split and training recipe: delete or move one of them");
      }
    }
  }

  private static boolean sameKind(ForgetSpec tuned, ForgetSpec request) {
    return request instanceof ForgetSpec.ClassForget ? tuned instanceof ForgetSpec.ClassForget : isRandom(tuned);
  }

  private static boolean isRandom(ForgetSpec spec) {
    return spec instanceof ForgetSpec.RandomFraction || spec instanceof ForgetSpec.RandomCount;
  }

  private static Recipe choose(List<Recipe> usable, ForgetTask task) {
    for (Recipe r : usable) {
      if (r.tunedFor.text().equals(task.spec().text())) {
        return r;
      }
    }
    if (task.spec() instanceof ForgetSpec.ClassForget) {
      for (Recipe r : usable) {
        if (forgetsClass(r.tunedFor, task)) {
          return r;
        }
      }
      return usable.get(0);
    }
    double wanted = Math.log((double) task.forget().size() / task.pool().size());
    Recipe best = null;
    double bestDistance = Double.POSITIVE_INFINITY;
    double bestFraction = Double.NaN;
    for (Recipe r : usable) {
      double fraction = fraction(r.tunedFor, task.pool().size());
      double distance = Math.abs(Math.log(fraction) - wanted);
      if (distance < bestDistance || (distance == bestDistance && fraction < bestFraction)) {
        best = r;
        bestDistance = distance;
        bestFraction = fraction;
      }
    }
    return best;
  }

  /** Whether a class spec names the classes {@code task} forgets (by name or index, as the pool resolves them). */
  private static boolean forgetsClass(ForgetSpec tuned, ForgetTask task) {
    try {
      int[] classes = ((ForgetSpec.ClassForget) tuned).classes().stream().mapToInt(task.pool()::classIndex).sorted()
          .toArray();
      return java.util.Arrays.equals(classes, task.forgetClasses());
    } catch (LetheException e) {
      return false; // a class this dataset does not have cannot be the same class
    }
  }

  private static double fraction(ForgetSpec randomSpec, int poolSize) {
    return randomSpec instanceof ForgetSpec.RandomFraction f
        ? f.fraction()
        : (double) ((ForgetSpec.RandomCount) randomSpec).count() / poolSize;
  }

  /**
   * The recipes in {@code dir} and in its immediate subdirectories for this dataset and model, in order of
   * their path relative to {@code dir}. A file whose name starts like theirs but that names another model
   * (e.g. {@code cnn-nobn} beside {@code cnn}) is another model's and is skipped; one whose content does not
   * match its name is an error.
   */
  private static List<Recipe> all(Path dir, String dataset, String model) {
    String prefix = ForgetSpec.fileSafe(dataset + "-" + model + "-");
    List<Path> files = new ArrayList<>();
    for (Path entry : entries(dir)) {
      if (Files.isDirectory(entry)) {
        entries(entry).stream().filter(f -> isRecipeFile(f, prefix)).forEach(files::add);
      } else if (isRecipeFile(entry, prefix)) {
        files.add(entry);
      }
    }
    files.sort(Comparator.comparing(f -> relativeName(dir, f)));
    List<Recipe> out = new ArrayList<>();
    for (Path f : files) {
      Recipe r = load(f, relativeName(dir, f));
      if (!f.getFileName().toString().equals(fileName(r.dataset(), r.model(), r.tunedFor))) {
        throw mismatch(r);
      }
      if (r.dataset().equals(dataset) && r.model().equals(model)) {
        out.add(r);
      }
    }
    return out;
  }

  private static List<Path> entries(Path folder) {
    try (Stream<Path> list = Files.list(folder)) {
      return list.toList();
    } catch (IOException e) {
      throw new LetheException("cannot list the recipes directory " + folder + ": " + e.getMessage());
    }
  }

  private static boolean isRecipeFile(Path f, String prefix) {
    String fileName = f.getFileName().toString();
    return fileName.startsWith(prefix) && fileName.endsWith(".json") && Files.isRegularFile(f);
  }

  /** {@code file}'s path relative to {@code dir}, {@code /}-separated on every platform. */
  private static String relativeName(Path dir, Path file) {
    List<String> parts = new ArrayList<>();
    dir.relativize(file).forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }

  /**
   * The recipe in {@code file}, which must be the one for this dataset, model and forget spec, or null
   * when there is no such file.
   */
  static Recipe read(Path file, String dataset, String model, ForgetSpec forget) {
    if (!Files.exists(file)) {
      return null;
    }
    Recipe r = load(file, file.getFileName().toString());
    if (!r.dataset().equals(dataset) || !r.model().equals(model) || !r.tunedFor.text().equals(forget.text())) {
      throw mismatch(r);
    }
    return r;
  }

  private static Recipe load(Path file, String name) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new LetheException("recipe " + file + " is not valid JSON: fix or delete it");
    }
    String forget = json.path("forget").asText();
    ForgetSpec spec;
    try {
      spec = ForgetSpec.parse(forget);
    } catch (LetheException e) {
      throw new LetheException("recipe " + file + " names no valid forget spec ('" + forget
          + "'): retune with `lethe tune` or delete it");
    }
    if (!json.path("winners").isObject()) {
      throw new LetheException("recipe " + file + " has no winners object: retune with `lethe tune`");
    }
    return new Recipe(file, name, json, spec);
  }

  private static LetheException mismatch(Recipe r) {
    return new LetheException("recipe " + r.file + " was tuned for dataset '" + r.dataset() + "', model '"
        + r.model() + "', forget '" + r.tunedFor.text() + "', which does not match its file name: retune with"
        + " `lethe tune` or pass --recipes none");
  }

  private String dataset() {
    return json.path("dataset").asText();
  }

  private String model() {
    return json.path("model").asText();
  }

  /** Whether this recipe was tuned under {@code setup} (width, split and training recipe). */
  boolean sameSetup(JsonNode setup) {
    return Json.canonicalText(json.path("setup")).equals(Json.canonicalText(setup));
  }

  /** The configuration a recipe is only valid for: model width, split and training recipe. */
  public static JsonNode setup(BenchConfig config) {
    return setup(Json.MAPPER.valueToTree(config.width()), Json.MAPPER.valueToTree(config.split()),
        Json.MAPPER.valueToTree(config.training()));
  }

  /** The setup (see {@link #setup(BenchConfig)}) of an experiment, e.g. one rebuilt from a checkpoint. */
  public static JsonNode setup(Experiment experiment) {
    JsonNode e = experiment.describe();
    return setup(e.get("width"), e.get("split"), e.get("training"));
  }

  private static JsonNode setup(JsonNode width, JsonNode split, JsonNode training) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.set("width", width);
    s.set("split", split);
    s.set("training", training);
    return s;
  }

  /**
   * The recipe's path relative to the recipes directory, {@code /}-separated (e.g.
   * {@code audit-preset/fashion-mnist-cnn-random-0.1.json}): what result rows, the announcement and the report
   * name it by.
   */
  public String file() {
    return name;
  }

  /** The forget spec this recipe was tuned for, e.g. {@code random:0.1}. */
  public String tunedFor() {
    return tunedFor.text();
  }

  /** Whether it was selected on the validation split (recipes written before that was the rule were not). */
  public boolean selectedOnValidation() {
    return SELECTED_ON_VALIDATION.equals(json.path("selected_on").asText());
  }

  /** Whether the recipe has a tuned entry for {@code method}. */
  public boolean tunes(String method) {
    return json.path("winners").has(method);
  }

  /** The winning parameter overrides of {@code method}, empty if it was not tuned. */
  public Map<String, String> winner(String method) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode w = json.path("winners").path(method).path("params");
    w.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** The recipe as read (a tree the caller must not modify). */
  JsonNode json() {
    return json;
  }

  /**
   * The parameters {@code method} runs with: {@code recipe}'s winner (none when {@code recipe} is null), then
   * {@code overrides} (the user's {@code --param}), which win however either spells a key ({@code lr} or
   * {@code sgd.lr}: both are merged by {@link MethodRegistry.Method#canonicalKeys}).
   */
  public static Map<String, String> params(Recipe recipe, MethodRegistry.Method method, Map<String, String> overrides) {
    Map<String, String> params = new LinkedHashMap<>();
    if (recipe != null) {
      params.putAll(method.canonicalKeys(recipe.winner(method.id())));
    }
    params.putAll(method.canonicalKeys(overrides));
    return params;
  }

  /**
   * The one line a run prints per scenario: which recipe (its {@link #file} and the spec it was tuned for) its
   * methods run with, which of them run with bare defaults, and which have {@code --param} overrides.
   *
   * @param dir the recipes directory (null: {@code --recipes none})
   * @param recipe what {@link #forRequest} returned
   * @param methods the methods that take hyperparameters, in run order
   * @param overridden the methods with {@code --param} overrides
   */
  public static String announcement(String scenario, Path dir, Recipe recipe, List<String> methods,
      Collection<String> overridden) {
    StringBuilder line = new StringBuilder(scenario).append(": ");
    if (recipe == null) {
      line.append("bare defaults for every method (")
          .append(dir == null ? "--recipes none" : "no recipe in " + dir + " fits this request and setup").append(')');
    } else {
      List<String> bare = methods.stream().filter(m -> !recipe.tunes(m)).toList();
      line.append("recipe ").append(recipe.file()).append(" (tuned for ").append(recipe.tunedFor()).append(')')
          .append(bare.isEmpty() ? " for every method" : "; bare defaults for " + String.join(", ", bare));
    }
    List<String> params = methods.stream().filter(overridden::contains).toList();
    if (!params.isEmpty()) {
      line.append("; --param overrides for ").append(String.join(", ", params));
    }
    return line.toString();
  }

  /** Refuses evaluation seeds that include a seed the recipe was tuned on. */
  public void checkSeeds(List<Long> seeds) {
    for (long t : tuningSeeds()) {
      if (seeds.contains(t)) {
        throw new LetheException("recipe " + file + " was tuned on seed " + t
            + ", which is also an evaluation seed here: evaluate on other seeds");
      }
    }
  }

  /** Every seed the recipe was tuned on ({@code tuning_seeds}, and the old single {@code tuning_seed}). */
  private List<Long> tuningSeeds() {
    List<Long> tuning = new ArrayList<>();
    json.path("tuning_seeds").forEach(s -> tuning.add(s.asLong()));
    if (json.has("tuning_seed")) {
      tuning.add(json.get("tuning_seed").asLong());
    }
    return tuning;
  }

  /** Writes a recipe atomically. */
  static void write(Path file, ObjectNode json) {
    try {
      Json.writeAtomically(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
