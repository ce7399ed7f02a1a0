package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.data.TestData;
import dev.lethe.experiment.Json;
import dev.lethe.unlearn.ServicesOnClassPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A method of your own, found through {@link java.util.ServiceLoader} ({@code org.example.lethe.MyMethods}), is
 * listed by {@code lethe methods} and runs in {@code bench} and {@code tune} like a built-in one.
 */
class OwnMethodCliTest {
  @TempDir static Path tmp;
  private static Path data;

  @BeforeAll
  static void tinyData() throws Exception {
    data = TestData.tinyFashionMnist(tmp.resolve("fm"), 120, 60);
  }

  /** The CLI with the plugin's services file on the class path. */
  private static CliRun.Outcome run(String... args) throws Exception {
    return ServicesOnClassPath.call("plugin", () -> CliRun.run(args));
  }

  /** The tiny experiment flags every verb below shares. */
  private static List<String> tiny(String verb, String... more) {
    List<String> args = new ArrayList<>(List.of(verb, "--data-dir", data.toString(), "--model", "mlp", "--width", "8",
        "--train-size", "80", "--val-size", "20", "--test-size", "40", "--epochs", "2", "--batch-size", "16",
        "--lr", "0.05", "--store", tmp.resolve("store").toString()));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void methodsListsItWithItsOptions() throws Exception {
    CliRun.Outcome out = run("methods");
    assertThat(out.status()).as(out.err()).isZero();
    assertThat(out.out()).contains("my-ft — Fine-tune on the retain set at a constant rate (a method of your own)\n"
        + "  paper: -\n  batches: never augmented: its own code never augments\n"
        + "  --param my-ft.epochs=1   passes over the retain set\n  --param my-ft.lr=0.01   constant learning rate\n");
    assertThat(CliRun.run("methods").out()).as("without the plugin on the class path").doesNotContain("my-ft");
  }

  @Test
  void benchAndTuneRunItLikeABuiltInMethod() throws Exception {
    Path out = tmp.resolve("bench");
    CliRun.Outcome bench = run(tiny("bench", "--forget", "random:0.2", "--methods", "original,my-ft", "--seed", "1",
        "--param", "my-ft.lr=0.05", "--recipes", "none", "--out", out.toString()).toArray(String[]::new));
    assertThat(bench.status()).as(bench.err()).isZero();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("results.jsonl"))) {
      rows.add(Json.MAPPER.readTree(line));
    }
    assertThat(rows).extracting(r -> r.get("method").asText())
        .containsExactlyInAnyOrder("retrain", "retrain-2", "original", "my-ft");
    JsonNode mine = rows.stream().filter(r -> r.get("method").asText().equals("my-ft")).findFirst().orElseThrow();
    assertThat(mine.get("status").asText()).isEqualTo("ok");
    assertThat(mine.get("params").toString()).isEqualTo("{\"epochs\":1,\"lr\":0.05}");
    assertThat(mine.get("metrics").get("avg_gap").isNumber()).isTrue();
    assertThat(bench.out()).contains("my-ft");
    assertThat(Files.readString(out.resolve("report.html"))).contains("my-ft");

    Path recipes = tmp.resolve("recipes");
    CliRun.Outcome tune = run(tiny("tune", "--forget", "random:0.2", "--methods", "my-ft", "--grid",
        "my-ft.lr=0.01,0.05", "--recipes", recipes.toString(), "--out", tmp.resolve("tune").toString())
        .toArray(String[]::new));
    assertThat(tune.status()).as(tune.err()).isZero();
    JsonNode recipe = Json.MAPPER.readTree(recipes.resolve("fashion-mnist-mlp-random-0.2.json").toFile());
    assertThat(recipe.get("winners").get("my-ft").get("params").get("lr").asText()).isIn("0.01", "0.05");
    List<String> tuned = new ArrayList<>();
    for (String line : Files.readAllLines(tmp.resolve("tune").resolve("tuning.jsonl"))) {
      JsonNode row = Json.MAPPER.readTree(line);
      tuned.add(row.get("method").asText() + " " + row.path("grid_point").path("lr").asText("-"));
    }
    assertThat(tuned).containsExactlyInAnyOrder("retrain -", "original -", "my-ft 0.01", "my-ft 0.05");
  }

  @Test
  void theSecondRetrainsIdIsNotAMethodId() throws Exception {
    CliRun.Outcome out = run(tiny("bench", "--forget", "random:0.2", "--methods", "retrain-2", "--out",
        tmp.resolve("reserved").toString()).toArray(String[]::new));
    assertThat(out.status()).isEqualTo(2);
    assertThat(out.err()).isEqualTo("lethe: method id retrain-2 names the benchmark's second exact retrain (the noise"
        + " floor), which every scenario runs anyway: give a method of your own another id\n");
  }
}
