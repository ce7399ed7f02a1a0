package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.experiment.Json;
import dev.lethe.model.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe forget} applies the recipe of its kind of request, as the bench does; --param still wins. */
class ForgetCommandTest {
  @TempDir Path tmp;

  /** The lines the last {@link #forget} printed on System.err that are not progress lines. */
  private String lastNotes;

  /** Runs the command line, failing on a non-zero status; returns what it printed on System.err. */
  private static String run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream notes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int status;
    System.setErr(new PrintStream(notes, true, StandardCharsets.UTF_8));
    try {
      status = Main.execute(new PrintWriter(err, true), args);
    } finally {
      System.setErr(saved);
    }
    assertThat(status).as(err.toString()).isZero();
    return notes.toString(StandardCharsets.UTF_8);
  }

  private JsonNode forget(Path trained, String name, String... extra) {
    Path save = tmp.resolve(name);
    String[] args = new String[] {"forget", "--model", trained.toString(), "--forget", "random:20", "--method", "ga",
        "--store", tmp.resolve("store").toString(), "--save", save.toString()};
    String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    lastNotes = String.join("\n", run(all).lines().filter(l -> l.startsWith("lethe: ")).toList());
    return Checkpoints.metadata(save);
  }

  @Test
  void forgetRunsWithTheNearestRandomRecipeUnlessToldOtherwise() throws Exception {
    Path trained = tmp.resolve("original");
    run("train", "--train-size", "300", "--val-size", "0", "--test-size", "100", "--epochs", "1", "--width", "4",
        "--store", tmp.resolve("store").toString(), "--save", trained.toString());
    JsonNode experiment = Checkpoints.metadata(trained).get("experiment");
    Path recipes = Files.createDirectories(tmp.resolve("recipes"));
    ObjectNode recipe = Json.MAPPER.createObjectNode();
    recipe.put("dataset", "fashion-mnist").put("model", "cnn").put("forget", "random:0.1").put("selected_on", "validation");
    ObjectNode setup = recipe.putObject("setup");
    for (String key : new String[] {"width", "split", "training"}) {
      setup.set(key, experiment.get(key));
    }
    recipe.putArray("tuning_seeds").add(1000);
    recipe.putObject("winners").putObject("ga").putObject("params").put("lr", "1e-5").put("epochs", "1");
    Files.writeString(recipes.resolve("fashion-mnist-cnn-random-0.1.json"), Json.MAPPER.writeValueAsString(recipe));

    JsonNode tuned = forget(trained, "tuned", "--recipes", recipes.toString());
    assertThat(tuned.get("params").get("lr").asDouble()).isEqualTo(1e-5);
    assertThat(tuned.get("params").get("epochs").asInt()).isEqualTo(1);
    assertThat(tuned.get("recipe").asText()).isEqualTo("fashion-mnist-cnn-random-0.1.json");
    assertThat(tuned.get("recipe_tuned_for").asText()).isEqualTo("random:0.1");
    assertThat(lastNotes.strip()).isEqualTo(
        "lethe: fashion-mnist/cnn/random:20: recipe fashion-mnist-cnn-random-0.1.json (tuned for random:0.1) for every method");

    JsonNode overridden = forget(trained, "overridden", "--recipes", recipes.toString(), "--param", "ga.lr=2e-5");
    assertThat(overridden.get("params").get("lr").asDouble()).as("--param wins over the recipe").isEqualTo(2e-5);
    assertThat(overridden.get("params").get("epochs").asInt()).as("the recipe's other values stay").isEqualTo(1);
    assertThat(lastNotes).contains("; --param overrides for ga");

    // one step: ga's five default epochs diverge on this barely trained original
    JsonNode bare = forget(trained, "bare", "--recipes", "none", "--param", "ga.epochs=1");
    assertThat(bare.get("params").get("lr").asDouble()).isEqualTo(3e-4);
    assertThat(bare.has("recipe")).isFalse();
    assertThat(lastNotes.strip()).isEqualTo(
        "lethe: fashion-mnist/cnn/random:20: bare defaults for every method (--recipes none); --param overrides for ga");
  }
}
