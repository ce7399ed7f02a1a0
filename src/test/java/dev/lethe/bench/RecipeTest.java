package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TrainTest;
import dev.lethe.experiment.Json;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.method.GradientAscent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipes apply by kind of request: nearest random fraction for random and id lists, the class recipe for a class. */
class RecipeTest {
  /** An 8,000-image pool with Fashion-MNIST's class names (1x1x1 images: only sizes and labels matter here). */
  private static final Splits SPLITS = Splits.of(new TrainTest(images("train", 8100), images("test", 10)),
      new SplitConfig(8000, 100, 0, 0));

  private static final JsonNode SETUP = setup(16);

  /** The setup of the audit preset: 2,000 images, width 16, 30 epochs of batches of 64. */
  private static final JsonNode PRESET = Recipe.setup(new BenchConfig("fashion-mnist", null, "cnn", 16,
      new SplitConfig(2000, 100, 0, 0), new TrainConfig(30, 64, 0.02, 0.9, 5e-4, LrSchedule.COSINE),
      List.of("random:0.1"), List.of("ga"), List.of(1L), Map.of(), Path.of("store"), Path.of("out"), null));

  private static final MethodRegistry REGISTRY =
      new MethodRegistry(new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE));

  @TempDir Path dir;

  private static Dataset images(String name, int n) {
    int[] labels = new int[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      ids[i] = i;
    }
    return new Dataset(name, 1, 1, 1, new float[n], labels, ids, DatasetLoader.FASHION_MNIST_CLASSES);
  }

  private static JsonNode setup(int width) {
    return Recipe.setup(new BenchConfig("fashion-mnist", null, "cnn", width, new SplitConfig(8000, 100, 0, 0),
        new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE), List.of("random:0.1"), List.of("ga"), List.of(1L),
        Map.of(), Path.of("store"), Path.of("out"), null));
  }

  /** Writes a recipe for {@code forget} whose ga winner is {@code lr}; {@code selectedOn} null: an old recipe. */
  private Path recipe(String model, String forget, JsonNode setup, String lr, String selectedOn) throws Exception {
    return recipe(dir, model, forget, setup, lr, selectedOn);
  }

  /** As {@link #recipe(String, String, JsonNode, String, String)}, in {@code folder} (created). */
  private static Path recipe(Path folder, String model, String forget, JsonNode setup, String lr, String selectedOn)
      throws Exception {
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("dataset", "fashion-mnist");
    r.put("model", model);
    r.put("forget", forget);
    r.set("setup", setup);
    if (selectedOn != null) {
      r.put("selected_on", selectedOn);
    }
    r.putArray("tuning_seeds").add(1000);
    r.putObject("winners").putObject("ga").putObject("params").put("lr", lr);
    Path file = Recipe.fileFor(Files.createDirectories(folder), "fashion-mnist", model, forget);
    Files.writeString(file, Json.MAPPER.writeValueAsString(r));
    return file;
  }

  private Path recipe(String forget, String lr) throws Exception {
    return recipe("cnn", forget, SETUP, lr, "validation");
  }

  private static ForgetTask task(String spec) {
    return ForgetTask.derive(ForgetSpec.parse(spec), SPLITS, 1);
  }

  private Path ids(int count) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(Integer.toString(SPLITS.pool().id(i)));
    }
    return Files.write(dir.resolve("ids-" + count + ".txt"), lines);
  }

  private Recipe lookUp(String spec) {
    return Recipe.forRequest(dir, "fashion-mnist", "cnn", SETUP, task(spec));
  }

  /** Runs {@code body} and returns what it printed on stderr. */
  static String stderrOf(Runnable body) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(saved);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void randomAndIdRequestsUseTheRandomRecipeOfTheNearestFractionInLogScale() throws Exception {
    recipe("random:0.01", "0.01");
    recipe("random:0.1", "0.1");
    recipe("class:Sandal", "0.5");
    assertThat(lookUp("random:0.1").file()).isEqualTo("fashion-mnist-cnn-random-0.1.json");
    assertThat(lookUp("random:0.01").winner("ga")).containsEntry("lr", "0.01");
    // 600 / 8000 = 0.075: |ln 0.075 - ln 0.1| = 0.29 < |ln 0.075 - ln 0.01| = 2.01
    Recipe r600 = lookUp("random:600");
    assertThat(r600.tunedFor()).isEqualTo("random:0.1");
    assertThat(r600.winner("ga")).containsEntry("lr", "0.1");
    // 0.02: 0.69 from 0.01, 1.61 from 0.1
    assertThat(lookUp("random:0.02").tunedFor()).isEqualTo("random:0.01");
    assertThat(lookUp("random:80").tunedFor()).as("a count of 1 % of the pool").isEqualTo("random:0.01");
    // 300 ids = 0.0375 is above the geometric mean 0.0316 of 0.01 and 0.1; 50 ids = 0.00625 is below 0.01
    assertThat(lookUp("ids:" + ids(300)).tunedFor()).isEqualTo("random:0.1");
    assertThat(lookUp("ids:" + ids(50)).tunedFor()).isEqualTo("random:0.01");
  }

  @Test
  void aRecipeTunedForExactlyThisIdListWinsOverTheNearestFraction() throws Exception {
    Path file = ids(300);
    recipe("random:0.1", "0.1");
    recipe("ids:" + file, "0.2");
    assertThat(lookUp("ids:" + file).winner("ga")).containsEntry("lr", "0.2");
    assertThat(lookUp("ids:" + ids(299)).tunedFor()).as("another id list: by fraction").isEqualTo("random:0.1");
  }

  @Test
  void classRequestsUseAClassRecipePreferringTheSameClass() throws Exception {
    recipe("random:0.1", "0.1");
    assertThat(lookUp("class:Shirt")).as("a random recipe never serves a class request").isNull();
    recipe("class:Sandal", "0.5");
    assertThat(lookUp("class:Shirt").tunedFor()).isEqualTo("class:Sandal");
    assertThat(lookUp("random:0.2").tunedFor()).as("a class recipe never serves a random request").isEqualTo("random:0.1");
    recipe("class:6", "0.6"); // Shirt, by index
    assertThat(lookUp("class:Shirt").tunedFor()).isEqualTo("class:6");
    assertThat(lookUp("class:Sandal").tunedFor()).isEqualTo("class:Sandal");
    assertThat(lookUp("class:5").tunedFor()).as("Sandal by index").isEqualTo("class:Sandal");
    assertThat(lookUp("class:Bag").file()).as("no same class: the first by file name").isEqualTo("fashion-mnist-cnn-class-6.json");
  }

  @Test
  void aSetupMismatchFallsBackToDefaultsWithANote() throws Exception {
    recipe("cnn", "random:0.1", setup(8), "0.1", "validation");
    String[] found = new String[1];
    String err = stderrOf(() -> found[0] = String.valueOf(lookUp("random:600")));
    assertThat(found[0]).isEqualTo("null");
    assertThat(err.strip()).isEqualTo("lethe: note: " + dir.resolve("fashion-mnist-cnn-random-0.1.json")
        + " fit random:600 but were tuned"
        + " for another width, split or training recipe; using method defaults (retune with `lethe tune` for this"
        + " configuration)");
    recipe("random:0.01", "0.01");
    assertThat(lookUp("random:600").tunedFor()).as("the only recipe of this setup, though not the nearest")
        .isEqualTo("random:0.01");
  }

  @Test
  void aRecipeInASubdirectoryAppliesToTheSetupItWasTunedUnderAndIsNamedByItsRelativePath() throws Exception {
    recipe("random:0.1", "0.1");
    recipe(dir.resolve("audit-preset"), "cnn", "random:0.1", PRESET, "0.3", "validation");
    Recipe[] found = new Recipe[1];
    assertThat(stderrOf(() -> found[0] = lookUp("random:0.1"))).isEmpty();
    assertThat(found[0].file()).as("the default setup: the default recipe").isEqualTo("fashion-mnist-cnn-random-0.1.json");
    assertThat(found[0].winner("ga")).containsEntry("lr", "0.1");
    String err = stderrOf(() -> found[0] = Recipe.forRequest(dir, "fashion-mnist", "cnn", PRESET, task("random:600")));
    assertThat(err).as("no note: a folder has a recipe of this setup").isEmpty();
    assertThat(found[0].file()).isEqualTo("audit-preset/fashion-mnist-cnn-random-0.1.json");
    assertThat(found[0].winner("ga")).containsEntry("lr", "0.3");
    assertThat(Recipe.announcement("s", dir, found[0], List.of("ga"), Set.of())).isEqualTo(
        "s: recipe audit-preset/fashion-mnist-cnn-random-0.1.json (tuned for random:0.1) for every method");

    // one level only: a preset class recipe two folders down is not read
    recipe("class:Sandal", "0.5");
    recipe(dir.resolve("old").resolve("audit-preset"), "cnn", "class:Sandal", PRESET, "0.6", "validation");
    err = stderrOf(() -> found[0] = Recipe.forRequest(dir, "fashion-mnist", "cnn", PRESET, task("class:Sandal")));
    assertThat(found[0]).isNull();
    assertThat(err.strip()).isEqualTo("lethe: note: " + dir.resolve("fashion-mnist-cnn-class-Sandal.json")
        + " fit class:Sandal but were tuned for another width, split or training recipe; using method defaults"
        + " (retune with `lethe tune` for this configuration)");
  }

  @Test
  void twoRecipesOfTheSameSpecAndSetupInDifferentFoldersAreAnError() throws Exception {
    recipe("random:0.1", "0.1");
    recipe(dir.resolve("other"), "cnn", "random:0.1", SETUP, "0.2", "validation");
    assertThatThrownBy(() -> lookUp("random:600")).isInstanceOf(LetheException.class).hasMessage("recipes "
        + dir.resolve("fashion-mnist-cnn-random-0.1.json") + " and " + dir.resolve("other/fashion-mnist-cnn-random-0.1.json")
        + " are both tuned for random:0.1 under this width, split and training recipe: delete or move one of them");
    assertThat(Recipe.forRequest(dir, "fashion-mnist", "cnn", PRESET, task("random:0.1")))
        .as("a request of another setup uses neither").isNull();
    assertThat(lookUp("class:Sandal")).as("a request of another kind uses neither").isNull();
  }

  @Test
  void aRecipeSelectedOnTheTestSplitStillAppliesWithANoteToRetune() throws Exception {
    recipe("cnn", "random:0.1", SETUP, "0.1", null);
    Recipe[] found = new Recipe[1];
    String err = stderrOf(() -> found[0] = lookUp("random:0.1"));
    assertThat(found[0].winner("ga")).containsEntry("lr", "0.1");
    assertThat(found[0].selectedOnValidation()).isFalse();
    assertThat(err.strip()).isEqualTo("lethe: note: recipe " + dir.resolve("fashion-mnist-cnn-random-0.1.json")
        + " was selected on the test split (before selection moved to the validation split): retune it with `lethe tune`");
    recipe("random:0.01", "0.01");
    assertThat(stderrOf(() -> lookUp("random:0.01"))).isEmpty();
  }

  @Test
  void noDirectoryOrNoRecipeMeansBareDefaults() throws Exception {
    assertThat(Recipe.forRequest(null, "fashion-mnist", "cnn", SETUP, task("random:0.1"))).isNull();
    assertThat(Recipe.forRequest(dir.resolve("absent"), "fashion-mnist", "cnn", SETUP, task("random:0.1"))).isNull();
    assertThat(lookUp("random:0.1")).isNull();
    recipe("random:0.1", "0.1");
    assertThat(Recipe.forRequest(dir, "fashion-mnist", "mlp", SETUP, task("random:0.1"))).as("another model").isNull();
  }

  @Test
  void anotherModelsRecipesAreSkippedAndAMisnamedOneIsAnError() throws Exception {
    recipe("cnn-nobn", "random:0.1", SETUP, "0.9", "validation"); // its name starts like cnn's
    assertThat(lookUp("random:0.1")).isNull();
    assertThat(Recipe.forRequest(dir, "fashion-mnist", "cnn-nobn", SETUP, task("random:0.1")).winner("ga"))
        .containsEntry("lr", "0.9");
    Path file = Recipe.fileFor(dir, "fashion-mnist", "cnn", "class:Sandal");
    Files.writeString(file, "{\"dataset\":\"fashion-mnist\",\"model\":\"mlp\",\"forget\":\"class:Sandal\",\"winners\":{}}");
    assertThatThrownBy(() -> lookUp("random:0.1")).isInstanceOf(LetheException.class)
        .hasMessageContaining("model 'mlp'").hasMessageContaining("does not match its file name");
    Files.writeString(file, "{broken");
    assertThatThrownBy(() -> lookUp("random:0.1")).isInstanceOf(LetheException.class).hasMessageContaining("not valid JSON");
    Files.writeString(file, "{\"dataset\":\"fashion-mnist\",\"model\":\"cnn\",\"forget\":\"class:Sandal\"}");
    assertThatThrownBy(() -> lookUp("random:0.1")).isInstanceOf(LetheException.class).hasMessageContaining("no winners");
    Files.writeString(file, "{\"dataset\":\"fashion-mnist\",\"model\":\"cnn\",\"forget\":\"sandal\",\"winners\":{}}");
    assertThatThrownBy(() -> lookUp("random:0.1")).isInstanceOf(LetheException.class)
        .hasMessageContaining("no valid forget spec ('sandal')");
  }

  @Test
  void evaluationSeedsThatIncludeATuningSeedAreRefused() throws Exception {
    recipe("random:0.1", "0.1");
    Recipe r = lookUp("random:0.1");
    r.checkSeeds(List.of(1L, 2L, 3L));
    assertThatThrownBy(() -> r.checkSeeds(List.of(1L, 1000L))).isInstanceOf(LetheException.class)
        .hasMessageContaining("seed 1000");
  }

  @Test
  void theParamsAreTheWinnerWithTheUsersOverridesOnTop() throws Exception {
    recipe("random:0.1", "0.1");
    Recipe r = lookUp("random:0.1");
    MethodRegistry.Method ga = REGISTRY.get("ga");
    assertThat(Recipe.params(r, ga, Map.of())).containsExactly(Map.entry("lr", "0.1"));
    assertThat(Recipe.params(r, ga, Map.of("lr", "0.5", "epochs", "2"))).containsEntry("lr", "0.5").containsEntry("epochs", "2");
    assertThat(Recipe.params(r, REGISTRY.get("ft"), Map.of())).isEmpty();
    assertThat(Recipe.params(null, ga, Map.of("epochs", "2"))).containsExactly(Map.entry("epochs", "2"));
    // the user's dotted key replaces the recipe's short one: both name ga's sgd.lr
    assertThat(Recipe.params(r, ga, Map.of("sgd.lr", "0.5"))).containsExactly(Map.entry("lr", "0.5"));
    assertThat(ga.create(Recipe.params(r, ga, Map.of("sgd.lr", "0.5"))).options())
        .isEqualTo(GradientAscent.Options.defaults().withSgd(s -> s.withLr(0.5)));
  }

  /**
   * The recipes shipped in {@code recipes/} and its subdirectories (short keys such as {@code lr},
   * {@code forgetAlpha}) bind onto every method they tune, winners and grids alike, and each winner's value is
   * the value its method runs with.
   */
  @Test
  void theShippedRecipesBindUnchanged() throws Exception {
    List<Path> shipped;
    try (var files = Files.walk(Path.of("recipes"), 2)) {
      shipped = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(shipped).hasSizeGreaterThanOrEqualTo(2);
    for (Path file : shipped) {
      JsonNode json = Json.MAPPER.readTree(file.toFile());
      Recipe recipe = Recipe.read(file, json.get("dataset").asText(), json.get("model").asText(),
          ForgetSpec.parse(json.get("forget").asText()));
      MethodRegistry registry =
          new MethodRegistry(Json.MAPPER.treeToValue(json.get("setup").get("training"), TrainConfig.class));
      assertThat(json.get("winners").size()).isGreaterThan(10);
      for (String method : (Iterable<String>) json.get("winners")::fieldNames) {
        MethodRegistry.Method m = registry.get(method);
        Map<String, Object> ran = OptionsBinder.values(m.create(Recipe.params(recipe, m, Map.of())).options());
        recipe.winner(method).forEach((key, text) -> assertThat(String.valueOf(ran.get(key)))
            .as(file.getFileName() + " " + method + "." + key)
            .isEqualTo(ran.get(key) instanceof Number ? String.valueOf(parseLike(ran.get(key), text)) : text));
      }
      for (String method : (Iterable<String>) json.get("grids")::fieldNames) {
        for (Map<String, String> point : Tuner.expand(grid(json.get("grids").get(method)))) {
          registry.get(method).create(point);
        }
      }
    }
  }

  private static Object parseLike(Object value, String text) {
    return value instanceof Integer ? (Object) Integer.parseInt(text) : (Object) Double.parseDouble(text);
  }

  private static Map<String, List<String>> grid(JsonNode axes) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    axes.fields().forEachRemaining(e -> {
      List<String> values = new ArrayList<>();
      e.getValue().forEach(v -> values.add(v.asText()));
      out.put(e.getKey(), values);
    });
    return out;
  }

  @Test
  void theAnnouncementSaysWhichRecipeAndWhichMethodsRunOnBareDefaults() throws Exception {
    recipe("random:0.1", "0.1");
    Recipe r = lookUp("random:600");
    assertThat(Recipe.announcement("fm/cnn/random:600", dir, r, List.of("original", "ga", "ft"), Set.of("ft")))
        .isEqualTo("fm/cnn/random:600: recipe fashion-mnist-cnn-random-0.1.json (tuned for random:0.1); bare defaults"
            + " for original, ft; --param overrides for ft");
    assertThat(Recipe.announcement("s", dir, r, List.of("ga"), Set.of())).isEqualTo(
        "s: recipe fashion-mnist-cnn-random-0.1.json (tuned for random:0.1) for every method");
    assertThat(Recipe.announcement("s", null, null, List.of("ga"), Set.of())).isEqualTo(
        "s: bare defaults for every method (--recipes none)");
    assertThat(Recipe.announcement("s", dir, null, List.of("ga"), Set.of("ga"))).isEqualTo(
        "s: bare defaults for every method (no recipe in " + dir + " fits this request and setup); --param overrides for ga");
  }
}
