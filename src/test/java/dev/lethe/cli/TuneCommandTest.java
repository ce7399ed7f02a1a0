package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.bench.BenchConfig;
import dev.lethe.bench.Recipe;
import dev.lethe.data.TestData;
import dev.lethe.experiment.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lethe tune --audit-preset} tunes at the preset of {@code bench --audit strong} into recipes/audit-preset/. */
class TuneCommandTest {
  @TempDir Path tmp;

  private static TuneCommand parse(String... args) {
    CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args);
    return (TuneCommand) parsed.subcommand().commandSpec().userObject();
  }

  @Test
  void theAuditPresetIsTheSetupOfTheRecipeAndItsFolderIsAuditPreset() throws Exception {
    Path recipes = tmp.resolve("recipes");
    BenchConfig preset = parse("tune", "--audit-preset", "--recipes", recipes.toString()).config();
    assertThat(preset.recipes()).isEqualTo(recipes.resolve("audit-preset"));
    assertThat(Json.canonicalText(Recipe.setup(preset))).isEqualTo(Json.canonicalText(Json.MAPPER.readTree(
        "{\"width\":8,\"split\":{\"trainSize\":2000,\"validationSize\":1000,\"testSize\":2000,\"seed\":0},"
            + "\"training\":{\"epochs\":30,\"batchSize\":64,\"lr\":0.02,\"momentum\":0.9,\"weightDecay\":0.0005,"
            + "\"schedule\":\"cosine\"}}")));

    BenchConfig plain = parse("tune", "--recipes", recipes.toString()).config();
    assertThat(plain.recipes()).isEqualTo(recipes);
    assertThat(plain.split().trainSize()).isEqualTo(8000);
    assertThat(plain.training().epochs()).isEqualTo(40);
    assertThat(plain.training().batchSize()).isEqualTo(128);
  }

  @Test
  void aTinyTuneAtThePresetSaysWhatItAppliedAndWritesItsRecipeUnderAuditPreset() throws Exception {
    Path data = TestData.tinyFashionMnist(tmp.resolve("fm"), 120, 60);
    Path recipes = tmp.resolve("recipes");
    // every preset option but --epochs is given, so the run stays tiny: 30 epochs of 5 batches of an mlp
    CliRun.Outcome tune = CliRun.run("tune", "--audit-preset", "--data-dir", data.toString(), "--model", "mlp",
        "--width", "8", "--train-size", "80", "--val-size", "20", "--test-size", "40", "--batch-size", "16",
        "--lr", "0.05", "--forget", "random:0.2", "--methods", "ft", "--grid", "ft.lr=0.01",
        "--store", tmp.resolve("store").toString(), "--recipes", recipes.toString(),
        "--out", tmp.resolve("tune").toString());
    assertThat(tune.status()).as(tune.err()).isZero();
    assertThat(tune.notes().lines()).contains("lethe: --audit-preset uses the audit preset: --epochs 30");
    assertThat(recipes.resolve("fashion-mnist-mlp-random-0.2.json")).doesNotExist();
    JsonNode recipe = Json.MAPPER.readTree(recipes.resolve("audit-preset/fashion-mnist-mlp-random-0.2.json").toFile());
    assertThat(recipe.at("/setup/training/epochs").asInt()).isEqualTo(30);
    assertThat(recipe.at("/setup/training/batchSize").asInt()).isEqualTo(16);
    assertThat(recipe.at("/setup/split/trainSize").asInt()).isEqualTo(80);
    assertThat(recipe.at("/winners/ft/params/lr").asText()).isEqualTo("0.01");
    assertThat(tune.out()).contains("recipes: " + recipes.resolve("audit-preset"));
  }
}
