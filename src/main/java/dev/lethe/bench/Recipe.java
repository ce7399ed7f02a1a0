package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tuned recipe: for one dataset, model and forget spec, each method's winning hyperparameters (smallest
 * Avg Gap to RT on a tuning seed that is not an evaluation seed), with the grids that produced them. Written
 * by {@code lethe tune} to {@code recipes/<dataset>-<model>-<forget>.json}; read by {@code lethe bench}.
 */
public final class Recipe {
  private final Path file;
  private final JsonNode json;

  private Recipe(Path file, JsonNode json) {
    this.file = file;
    this.json = json;
  }

  /** The file a recipe for this scenario lives in, inside {@code dir}. */
  public static Path fileFor(Path dir, String dataset, String model, String forget) {
    String name = ForgetSpec.fileSafe(dataset + "-" + model + "-" + ForgetSpec.parse(forget).text());
    return dir.resolve(name + ".json");
  }

  /**
   * The recipe for this scenario in {@code dir}, or null when there is none or it was tuned under another
   * configuration ({@code setup}: width, split and training recipe; a note on stderr says so, and method
   * defaults apply). A recipe file that names another dataset, model or forget spec is a one-line error.
   */
  public static Recipe find(Path dir, String dataset, String model, JsonNode setup, String forget) {
    if (dir == null) {
      return null;
    }
    Path file = fileFor(dir, dataset, model, forget);
    if (!Files.exists(file)) {
      return null;
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new LetheException("recipe " + file + " is not valid JSON: fix or delete it");
    }
    String[][] expected = {{"dataset", dataset}, {"model", model}, {"forget", ForgetSpec.parse(forget).text()}};
    for (String[] e : expected) {
      if (!json.path(e[0]).asText().equals(e[1])) {
        throw new LetheException("recipe " + file + " was tuned for " + e[0] + " '" + json.path(e[0]).asText()
            + "', not '" + e[1] + "': retune with `lethe tune` or pass --recipes none");
      }
    }
    if (!json.path("winners").isObject()) {
      throw new LetheException("recipe " + file + " has no winners object: retune with `lethe tune`");
    }
    if (!Json.canonicalText(json.path("setup")).equals(Json.canonicalText(setup))) {
      System.err.println("lethe: note: " + file + " was tuned for another width, split or training recipe; "
          + "using method defaults (retune with `lethe tune` for this configuration)");
      return null;
    }
    return new Recipe(file, json);
  }

  /** The configuration a recipe is only valid for: model width, split and training recipe. */
  public static JsonNode setup(BenchConfig config) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.put("width", config.width());
    s.set("split", Json.MAPPER.valueToTree(config.split()));
    s.set("training", Json.MAPPER.valueToTree(config.training()));
    return s;
  }

  /** The recipe's file name (recorded in result rows). */
  public String file() {
    return file.getFileName().toString();
  }

  /** The winning parameter overrides of {@code method}, empty if it was not tuned. */
  public Map<String, String> winner(String method) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode w = json.path("winners").path(method).path("params");
    w.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Refuses evaluation seeds that include the seed the recipe was tuned on. */
  public void checkSeeds(List<Long> seeds) {
    List<Long> tuning = new java.util.ArrayList<>();
    json.path("tuning_seeds").forEach(s -> tuning.add(s.asLong()));
    if (json.has("tuning_seed")) {
      tuning.add(json.get("tuning_seed").asLong());
    }
    for (long t : tuning) {
      if (seeds.contains(t)) {
        throw new LetheException("recipe " + file + " was tuned on seed " + t
            + ", which is also an evaluation seed here: evaluate on other seeds");
      }
    }
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
