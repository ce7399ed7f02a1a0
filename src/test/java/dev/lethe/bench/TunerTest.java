package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.data.SplitConfig;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunerTest {
  @TempDir Path tmp;

  private BenchConfig config(List<String> methods, long seed, Path recipes) {
    return new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 0, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, "cosine"), List.of("class:Sandal"), methods, List.of(seed),
        Map.of(), tmp.resolve("store"), tmp.resolve("out"), recipes);
  }

  @Test
  void gridsExpandToTheirCartesianProduct() {
    var points = Tuner.expand(new java.util.LinkedHashMap<>(Map.of("lr", List.of("1", "2"))));
    assertThat(points).hasSize(2);
    var map = new java.util.LinkedHashMap<String, List<String>>();
    map.put("lr", List.of("1", "2", "3"));
    map.put("epochs", List.of("1", "2"));
    assertThat(Tuner.expand(map)).hasSize(6).contains(Map.of("lr", "3", "epochs", "2"));
    assertThat(Tuner.expand(Map.of())).containsExactly(Map.of());
  }

  @Test
  void badGridsAreRejectedBeforeAnyWork() {
    BenchConfig c = config(List.of("ga", "salun"), 1000, tmp.resolve("recipes"));
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.speed=1,2"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("ga.speed");
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr=1e-3,"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("empty value");
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("method.key=v1,v2");
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr=1,2,3", "ga.epochs=1,2,3"), 8, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("--max-configs");
    assertThatThrownBy(() -> new Tuner(c, List.of("salun.sparsity=0.5,1.0"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> new Tuner(c, List.of("rl.lr=0.1"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("not among --methods");
    new Tuner(c, List.of("ga.lr=1,2,3", "ga.epochs=1,2,3"), 8, true);
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void recipesForAnotherModelOrOnAnEvaluationSeedAreRejected() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("recipes"));
    Path file = Recipe.fileFor(dir, "fashion-mnist", "cnn", "class:Sandal");
    assertThat(file.getFileName().toString()).isEqualTo("fashion-mnist-cnn-class-Sandal.json");
    Files.writeString(file, "{\"dataset\":\"fashion-mnist\",\"model\":\"mlp\",\"width\":8,\"forget\":\"class:Sandal\",\"winners\":{}}");
    JsonNode setup8 = Recipe.setup(config(List.of("ga"), 3, dir));
    assertThatThrownBy(() -> Recipe.find(dir, "fashion-mnist", "cnn", setup8, "class:Sandal"))
        .isInstanceOf(LetheException.class).hasMessageContaining("model 'mlp'");
    String setup = Json.MAPPER.writeValueAsString(Recipe.setup(config(List.of("ga"), 3, dir)));
    Files.writeString(file, "{\"dataset\":\"fashion-mnist\",\"model\":\"cnn\",\"setup\":" + setup
        + ",\"forget\":\"class:Sandal\",\"tuning_seed\":3,\"winners\":{\"ga\":{\"params\":{\"lr\":\"0.001\"}}}}");
    Recipe r = Recipe.find(dir, "fashion-mnist", "cnn", Recipe.setup(config(List.of("ga"), 3, dir)), "class:Sandal");
    assertThat(r.winner("ga")).containsEntry("lr", "0.001");
    assertThat(r.winner("ft")).isEmpty();
    assertThatThrownBy(() -> r.checkSeeds(List.of(1L, 2L, 3L)))
        .isInstanceOf(LetheException.class).hasMessageContaining("seed 3");
    BenchConfig wider = new BenchConfig("fashion-mnist", null, "cnn", 16, new SplitConfig(1500, 0, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, "cosine"), List.of("class:Sandal"), List.of("ga"), List.of(1L),
        Map.of(), tmp.resolve("store"), tmp.resolve("out"), dir);
    assertThat(Recipe.find(dir, "fashion-mnist", "cnn", Recipe.setup(wider), "class:Sandal"))
        .as("a recipe tuned for another width is ignored, not applied").isNull();
    Files.writeString(file, "{broken");
    assertThatThrownBy(() -> Recipe.find(dir, "fashion-mnist", "cnn", setup8, "class:Sandal"))
        .isInstanceOf(LetheException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void tuningPicksTheSmallestGapWritesEveryConfigAndTheBenchUsesTheWinner() throws Exception {
    Path recipes = tmp.resolve("recipes");
    BenchConfig tune = config(List.of("ga"), 1000, recipes);
    List<JsonNode> rows = new Tuner(tune, List.of("ga.lr=1e-5,2e-3"), 64, false).run();
    assertThat(rows).hasSize(3);
    JsonNode gaTiny = rows.stream().filter(r -> r.path("grid_point").path("lr").asText().equals("1e-5")).findFirst().orElseThrow();
    JsonNode gaBig = rows.stream().filter(r -> r.path("grid_point").path("lr").asText().equals("2e-3")).findFirst().orElseThrow();
    String expected = gaTiny.get("metrics").get("avg_gap").asDouble() <= gaBig.get("metrics").get("avg_gap").asDouble()
        || gaBig.get("metrics").get("test_acc").asDouble() < rows.get(0).get("metrics").get("test_acc").asDouble() - 15
        ? "1e-5" : "2e-3";
    Recipe recipe = Recipe.find(recipes, "fashion-mnist", "cnn", Recipe.setup(tune), "class:Sandal");
    assertThat(recipe.winner("ga")).containsEntry("lr", expected);
    assertThat(Files.readString(tmp.resolve("out").resolve("tuning-summary.md")))
        .contains("| ga lr=1e-5 | 1 |").contains("| ga lr=2e-3 | 1 |");

    List<JsonNode> again = new Tuner(tune, List.of("ga.lr=1e-5,2e-3"), 64, false).run();
    assertThat(again).hasSize(3);

    BenchConfig bench = new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 0, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, "cosine"), List.of("class:Sandal"), List.of("ga"), List.of(1L),
        Map.of(), tmp.resolve("store"), tmp.resolve("bench"), recipes);
    JsonNode ga = new BenchmarkRunner(bench).run().stream()
        .filter(r -> r.get("method").asText().equals("ga")).findFirst().orElseThrow();
    assertThat(ga.get("params").get("lr").asDouble()).isEqualTo(Double.parseDouble(expected));
    assertThat(ga.get("provenance").get("recipe").asText()).isEqualTo("fashion-mnist-cnn-class-Sandal.json");
  }

  @Test
  void severalTuningSeedsAreAllEvaluatedAndTheWinnerIsJudgedOnAll() throws Exception {
    Path recipes = tmp.resolve("recipes2");
    BenchConfig tune = new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 0, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, "cosine"), List.of("class:Sandal"), List.of("ga"),
        List.of(1000L, 1001L), Map.of(), tmp.resolve("store"), tmp.resolve("out2"), recipes);
    List<JsonNode> rows = new Tuner(tune, List.of("ga.lr=1e-5,1e-3"), 64, false).run();
    assertThat(rows).hasSize(6);
    assertThat(rows.stream().filter(r -> r.get("method").asText().equals("ga")).map(r -> r.get("seed").asLong()))
        .containsExactlyInAnyOrder(1000L, 1000L, 1001L, 1001L);
    JsonNode recipe = Json.MAPPER.readTree(Recipe.fileFor(recipes, "fashion-mnist", "cnn", "class:Sandal").toFile());
    assertThat(recipe.get("tuning_seeds")).hasSize(2);
    JsonNode winner = recipe.get("winners").get("ga");
    assertThat(winner.get("avg_gap_per_seed")).hasSize(2);
    double mean = (winner.get("avg_gap_per_seed").get(0).asDouble() + winner.get("avg_gap_per_seed").get(1).asDouble()) / 2;
    assertThat(winner.get("metrics").get("avg_gap").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9));
    Recipe r = Recipe.find(recipes, "fashion-mnist", "cnn", Recipe.setup(tune), "class:Sandal");
    assertThatThrownBy(() -> r.checkSeeds(List.of(1L, 1001L))).isInstanceOf(LetheException.class)
        .hasMessageContaining("1001");
  }
}
