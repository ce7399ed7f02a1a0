package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code lethe bench} command line that recomputes one result row from what the row records: every
 * experiment flag spelled out (so the command does not depend on defaults that may change), the row's forget
 * spec, method and seed, its thread count (part of every cell's key), and the method's fully resolved options
 * as {@code --param} with {@code --recipes none}, so no recipe file is needed. RT and the second retrain come
 * with every method; their rows rerun with {@code --methods retrain}.
 */
public final class Reproduce {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

  private Reproduce() {}

  /** The command's words for {@code row}, or an empty list when the row does not record its configuration. */
  public static List<String> words(JsonNode row) {
    JsonNode config = row.path("config");
    if (!config.has("training") || !config.has("split")) {
      return List.of();
    }
    List<String> w = new ArrayList<>(List.of("./lethe", "bench"));
    add(w, "--dataset", config.path("dataset").asText());
    if (config.hasNonNull("data_dir")) {
      add(w, "--data-dir", config.get("data_dir").asText());
    }
    add(w, "--model", config.path("model").asText());
    add(w, "--width", config.path("width").asText());
    JsonNode split = config.get("split");
    idsOrSize(w, split, "poolIds", "--pool-ids", "trainSize", "--train-size");
    idsOrSize(w, split, "validationIds", "--val-ids", "validationSize", "--val-size");
    idsOrSize(w, split, "testIds", "--test-ids", "testSize", "--test-size");
    add(w, "--split-seed", split.path("seed").asText());
    JsonNode t = config.get("training");
    add(w, "--epochs", t.path("epochs").asText());
    add(w, "--batch-size", t.path("batchSize").asText());
    add(w, "--lr", t.path("lr").asText());
    add(w, "--momentum", t.path("momentum").asText());
    add(w, "--weight-decay", t.path("weightDecay").asText());
    add(w, "--schedule", t.path("schedule").asText());
    if (t.has("clip")) {
      add(w, "--clip", t.get("clip").asText());
    }
    if (t.has("augment")) {
      add(w, "--augment", t.get("augment").asText());
    }
    JsonNode threads = row.path("cell").path("experiment").path("threads");
    if (threads.isNumber()) {
      add(w, "--threads", threads.asText());
    }
    add(w, "--forget", row.path("forget").asText());
    String method = row.path("method").asText();
    boolean retrain = method.equals(ScenarioResults.RETRAIN) || method.equals(ScenarioResults.SECOND_RETRAIN);
    add(w, "--methods", retrain ? ScenarioResults.RETRAIN : method);
    add(w, "--seed", row.path("seed").asText());
    if (!retrain) {
      add(w, "--recipes", "none");
      params(w, method, "", row.path("params"));
    }
    return w;
  }

  /** The command as one shell line, words quoted where the shell would split or expand them. */
  public static String line(JsonNode row) {
    List<String> quoted = new ArrayList<>();
    for (String word : words(row)) {
      quoted.add(SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'");
    }
    return String.join(" ", quoted);
  }

  private static void idsOrSize(List<String> w, JsonNode split, String ids, String idsFlag, String size, String sizeFlag) {
    if (split.hasNonNull(ids)) {
      add(w, idsFlag, split.get(ids).path("path").asText());
    } else {
      add(w, sizeFlag, split.path(size).asText());
    }
  }

  /** Nested options become dotted keys ({@code method.sgd.lr}), as {@code --param} reads them. */
  private static void params(List<String> w, String method, String prefix, JsonNode params) {
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) params::fields) {
      if (e.getValue().isObject()) {
        params(w, method, prefix + e.getKey() + ".", e.getValue());
      } else {
        add(w, "--param", method + "." + prefix + e.getKey() + "=" + e.getValue().asText());
      }
    }
  }

  private static void add(List<String> w, String flag, String value) {
    w.add(flag);
    w.add(value);
  }
}
